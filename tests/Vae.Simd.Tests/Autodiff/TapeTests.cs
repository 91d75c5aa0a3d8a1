using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Autodiff;

public class TapeTests
{
    [Fact]
    public void GradientOfSumIsOnes()
    {
        var tape = new Tape<float>();
        Var x = tape.Variable([1f, -2f, 3f, 4f, 5f, 6f], TensorShape.Matrix(2, 3));
        tape.Backward(tape.Sum(x));
        Assert.Equal(Enumerable.Repeat(1f, 6), tape.Gradient(x).ToArray());
    }

    [Fact]
    public void AValueUsedTwiceAccumulatesBothPaths()
    {
        var tape = new Tape<double>();
        Var x = tape.Variable([0.5, -1.5, 2.0], TensorShape.Vector(3));
        // f = Σ (x ⊙ x + x): df/dx = 2x + 1
        tape.Backward(tape.Sum(tape.Add(tape.Multiply(x, x), x)));
        Assert.Equal(new[] { 2.0, -2.0, 5.0 }, tape.Gradient(x).ToArray());
    }

    [Fact]
    public void GradientIsLinearInTheFunction()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            double[] values = Enumerable.Range(0, 12).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            double a = random.NextDouble() * 4 - 2, b = random.NextDouble() * 4 - 2;
            double[] Grad(Func<Tape<double>, Var, Var> f)
            {
                var tape = new Tape<double>();
                Var x = tape.Variable(values, TensorShape.Matrix(3, 4));
                tape.Backward(f(tape, x));
                return tape.Gradient(x).ToArray();
            }
            Var F(Tape<double> t, Var x) => t.Sum(t.Tanh(x));
            Var G(Tape<double> t, Var x) => t.Sum(t.RowLogSumExp(t.Square(x)));
            double[] gf = Grad(F), gg = Grad(G);
            double[] combined = Grad((t, x) => t.Add(t.Scale(F(t, x), a), t.Scale(G(t, x), b)));
            for (int i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(a * gf[i] + b * gg[i] - combined[i]) <= 1e-10 * Math.Max(1, Math.Abs(combined[i])),
                    $"entry {i}: {a} * {gf[i]} + {b} * {gg[i]} vs {combined[i]}");
            return true;
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>
    /// The tape's own gradients are not cleared up front: the first op to reach one either overwrites it whole
    /// (Linear's dx, the Bernoulli loss's d logits) or clears it before adding. A second Backward on the same tape,
    /// from a loss that reaches fewer values, must see none of the first pass's values — in float (the SIMD
    /// kernels) and in double.
    /// </summary>
    [Fact]
    public void EveryBackwardStartsTheTapesOwnGradientsFromZero()
    {
        Check<float>(1e-5);
        Check<double>(1e-12);

        static void Check<T>(double tolerance) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var random = new Random(7);
            T[] Draw(int n) => Enumerable.Range(0, n).Select(_ => T.CreateChecked(random.NextDouble() * 2 - 1)).ToArray();
            const int Rows = 3, Inputs = 5, Outputs = 4;
            T[] xv = Draw(Rows * Inputs), w1v = Draw(Outputs * Inputs), w2v = Draw(Outputs * Inputs), targets = Draw(Rows * Outputs);
            var tape = new Tape<T>();
            Var x = tape.Variable(xv, TensorShape.Matrix(Rows, Inputs));
            Var w1 = tape.Variable(w1v, TensorShape.Matrix(Outputs, Inputs)), w2 = tape.Variable(w2v, TensorShape.Matrix(Outputs, Inputs));
            Var b = tape.Variable(new T[Outputs], TensorShape.Vector(Outputs));
            Var t = tape.Input(targets, TensorShape.Matrix(Rows, Outputs));
            // Pass 1: x feeds two Linear ops (the first overwrites dx, the second adds); l2 feeds the Bernoulli loss.
            Var l1 = tape.Linear(x, w1, b), l2 = tape.Linear(x, w2, b);
            tape.Backward(tape.Add(tape.Sum(l1), tape.Sum(tape.BernoulliLogLikelihood(l2, t))));
            for (int r = 0; r < Rows; r++)
                for (int c = 0; c < Inputs; c++)
                {
                    double expected = 0;
                    for (int o = 0; o < Outputs; o++)
                    {
                        double logit = double.CreateChecked(tape.Value(l2)[r * Outputs + o]);
                        expected += double.CreateChecked(w1v[o * Inputs + c]) + (double.CreateChecked(targets[r * Outputs + o]) - 1 / (1 + Math.Exp(-logit))) * double.CreateChecked(w2v[o * Inputs + c]);
                    }
                    Assert.True(Math.Abs(double.CreateChecked(tape.Gradient(x)[r * Inputs + c]) - expected) <= tolerance, $"pass 1, dx[{r},{c}]: {tape.Gradient(x)[r * Inputs + c]} vs {expected}");
                }
            // Pass 2, same tape, a loss through l1 only: l2 and the Bernoulli term get no gradient, dx only l1's.
            tape.Backward(tape.Sum(tape.Linear(x, w1, b)));
            Assert.All(tape.Gradient(l2).ToArray(), g => Assert.Equal(T.Zero, g));
            Assert.All(tape.Gradient(w2).ToArray(), g => Assert.Equal(T.Zero, g));
            for (int r = 0; r < Rows; r++)
                for (int c = 0; c < Inputs; c++)
                {
                    double expected = 0;
                    for (int o = 0; o < Outputs; o++) expected += double.CreateChecked(w1v[o * Inputs + c]);
                    Assert.True(Math.Abs(double.CreateChecked(tape.Gradient(x)[r * Inputs + c]) - expected) <= tolerance, $"pass 2, dx[{r},{c}]: {tape.Gradient(x)[r * Inputs + c]} vs {expected}");
                }
        }
    }

    [Fact]
    public void ParameterGradientsAccumulateIntoTheCallersBuffer()
    {
        float[] weights = [0.5f, -1f, 2f, 0.25f, 1f, -0.5f];
        float[] gradients = new float[6];
        var tape = new Tape<float>();
        for (int pass = 1; pass <= 2; pass++)
        {
            tape.Reset();
            Var w = tape.Parameter(weights, gradients, TensorShape.Matrix(2, 3));
            Var x = tape.Input([1f, 2f, 3f], TensorShape.Matrix(1, 3));
            Var b = tape.Input([0f, 0f], TensorShape.Vector(2));
            tape.Backward(tape.Sum(tape.Linear(x, w, b)));
            // d/dW Σ x·Wᵀ = x in every row, once per pass
            Assert.Equal(new float[] { pass, 2 * pass, 3 * pass, pass, 2 * pass, 3 * pass }, gradients);
        }
    }

    [Fact]
    public void RandomCompositionsOfTwoToFiveOpsPassGradCheck()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            int rows = random.Next(1, 4), columns = random.Next(1, 6), depth = random.Next(2, 6);
            int[] steps = Enumerable.Range(0, depth).Select(_ => random.Next(9)).ToArray();
            GradCheckInput[] inputs =
            [
                new("x", Enumerable.Range(0, rows * columns).Select(_ => random.NextDouble() * 2 - 1).ToArray(), TensorShape.Matrix(rows, columns)),
                new("w", Enumerable.Range(0, columns * columns).Select(_ => random.NextDouble() - 0.5).ToArray(), TensorShape.Matrix(columns, columns)),
                new("b", Enumerable.Range(0, columns).Select(_ => random.NextDouble() - 0.5).ToArray(), TensorShape.Vector(columns)),
            ];
            GradCheckFunction f = (t, v) =>
            {
                Var h = v[0];
                foreach (int step in steps)
                {
                    h = step switch
                    {
                        0 => t.Tanh(h),
                        1 => t.Sigmoid(h),
                        2 => t.Softplus(h),
                        3 => t.Linear(h, v[1], v[2]),
                        4 => t.Multiply(h, v[0]),
                        5 => t.Add(h, v[2]),
                        6 => t.Scale(t.Square(h), 0.5),
                        7 => t.Exp(t.Tanh(h)),
                        _ => t.Subtract(h, v[0]),
                    };
                }
                return t.Sum(t.RowLogSumExp(h));
            };
            GradCheckReport report = GradCheck.Check(f, inputs);
            if (!report.Passed) throw new Xunit.Sdk.XunitException($"steps [{string.Join(",", steps)}]: {report}");
            return true;
        }).QuickCheckThrowOnFailure();
    }

    private static Var MlpLoss(Tape<float> tape, float[] parameters, float[] gradients, float[] batch, float[] noise)
    {
        // 32 × 50 → 40 (relu) → 2 × 8 latent → 40 (tanh) → 50 Bernoulli logits: a VAE in miniature.
        int offset = 0;
        Var P(int rows, int columns)
        {
            var shape = columns == 0 ? TensorShape.Vector(rows) : TensorShape.Matrix(rows, columns);
            Var v = tape.RecordsGradients
                ? tape.Parameter(parameters.AsMemory(offset, shape.Length), gradients.AsMemory(offset, shape.Length), shape)
                : tape.Parameter(parameters.AsMemory(offset, shape.Length), shape);
            offset += shape.Length;
            return v;
        }
        Var x = tape.Input(batch, TensorShape.Matrix(32, 50));
        Var h = tape.Linear(x, P(40, 50), P(40, 0), Activation.Relu);
        Var mu = tape.Linear(h, P(8, 40), P(8, 0));
        Var logVar = tape.Linear(h, P(8, 40), P(8, 0));
        Var z = tape.Reparameterize(mu, logVar, tape.Input(noise, TensorShape.Matrix(32, 8)));
        Var d = tape.Linear(z, P(40, 8), P(40, 0), Activation.Tanh);
        Var logits = tape.Linear(d, P(50, 40), P(50, 0));
        Var elbo = tape.Subtract(tape.BernoulliLogLikelihood(logits, x), tape.KlStandardNormal(mu, logVar));
        return tape.Scale(tape.Mean(elbo), -1f);
    }

    private const int MlpParameters = 40 * 50 + 40 + 2 * (8 * 40 + 8) + 40 * 8 + 40 + 50 * 40 + 50;

    [Fact]
    public void SecondStepAfterResetAllocatesNothing()
    {
        var random = new Random(3);
        float[] parameters = Enumerable.Range(0, MlpParameters).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        float[] gradients = new float[MlpParameters];
        float[] batch = Enumerable.Range(0, 32 * 50).Select(_ => (float)random.NextDouble()).ToArray();
        float[] noise = Enumerable.Range(0, 32 * 8).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var tape = new Tape<float>();
        tape.Backward(MlpLoss(tape, parameters, gradients, batch, noise));
        float first = gradients[0];

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 3; step++)
        {
            tape.Reset();
            tape.Backward(MlpLoss(tape, parameters, gradients, batch, noise));
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(4 * first, gradients[0], 3); // four backward passes accumulated the same gradient
    }

    [Fact]
    public void InferenceModeRecordsNothingAndAllocatesNothing()
    {
        var random = new Random(4);
        float[] parameters = Enumerable.Range(0, MlpParameters).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        float[] batch = Enumerable.Range(0, 32 * 50).Select(_ => (float)random.NextDouble()).ToArray();
        float[] noise = new float[32 * 8];
        var inference = new Tape<float>(recordGradients: false);
        var training = new Tape<float>();
        float value = inference.Scalar(MlpLoss(inference, parameters, [], batch, noise));
        float reference = training.Scalar(MlpLoss(training, parameters, new float[MlpParameters], batch, noise));
        Assert.Equal(reference, value);
        Assert.Throws<InvalidOperationException>(() => inference.Backward(new Var()));

        long before = GC.GetAllocatedBytesForCurrentThread();
        inference.Reset();
        MlpLoss(inference, parameters, [], batch, noise);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MisuseGivesMessagesThatNameTheProblem()
    {
        var tape = new Tape<float>();
        Var a = tape.Variable(new float[6], TensorShape.Matrix(2, 3));
        Var b = tape.Variable(new float[6], TensorShape.Matrix(3, 2));
        var e = Assert.Throws<ArgumentException>(() => tape.Add(a, b));
        Assert.Contains("[2x3]", e.Message);
        Assert.Contains("[3x2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => tape.Backward(a));
        Assert.Contains("single element", e.Message);
        Assert.Throws<ArgumentException>(() => tape.Parameter(new float[5], new float[6], TensorShape.Matrix(2, 3)));
        tape.Reset();
        Assert.Throws<ArgumentException>(() => tape.Value(a)); // stale handle after Reset
    }
}
