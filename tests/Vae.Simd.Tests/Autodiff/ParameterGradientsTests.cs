using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Randomness;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Autodiff;

/// <summary>
/// <see cref="ParameterGradients.Overwrite"/>: the trainer's backward pass sets parameter gradients instead of adding to
/// cleared buffers. It must give exactly what clearing and accumulating give, whatever the buffers held before.
/// </summary>
public class ParameterGradientsTests
{
    /// <summary>Every objective the trainer runs, on random VAEs: overwrite over garbage (NaN, huge values) = clear + accumulate, bit for bit.</summary>
    [Fact]
    public void OverwritingGivesTheBitsOfClearingAndAccumulatingForEveryObjective()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var config = new VaeConfig
            {
                InputSize = random.Next(3, 20),
                HiddenSizes = random.Next(2) == 0 ? [random.Next(2, 12)] : [random.Next(2, 9), random.Next(2, 9)],
                LatentSize = random.Next(1, 5),
                Likelihood = random.Next(3) == 0 ? Likelihood.Gaussian : Likelihood.Bernoulli,
            };
            using var model = new VariationalAutoencoder(config, (ulong)seed);
            int rows = random.Next(1, 9);
            float[] data = Enumerable.Range(0, rows * config.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
            int objective = random.Next(3);
            float[] Gradient(ParameterGradients mode, float fill)
            {
                float[] gradient = new float[model.Parameters.Length];
                Array.Fill(gradient, fill);
                if (mode == ParameterGradients.Accumulate) Array.Clear(gradient);
                var tape = new Tape<float>();
                var graph = new VaeGraph<float>(config, model.Layout);
                Var x = graph.Begin(tape, model.ParameterArray, gradient, rows);
                data.CopyTo(tape.Value(x));
                var noise = new NoiseSource(7, RandomPurpose.Noise, 3, default);
                Var loss = objective switch
                {
                    0 => VaeGraph<float>.Loss(tape, graph.Elbo(tape, x, Estimator.Analytic, 1, noise), 1f, rows),
                    1 => VaeGraph<float>.Loss(tape, graph.ImportanceWeightedBound(tape, x, 3, noise), rows),
                    _ => tape.Add(graph.WakePhase(tape, x, Estimator.Analytic, noise, rows, out _),
                                  graph.SleepPhase(tape, rows, new NoiseSource(7, RandomPurpose.SleepLatent, 3, default, 0), rows)),
                };
                tape.Backward(loss, mode);
                return gradient;
            }
            float[] expected = Gradient(ParameterGradients.Accumulate, 0f);
            foreach (float garbage in new[] { float.NaN, 3e38f, -1f })
            {
                float[] actual = Gradient(ParameterGradients.Overwrite, garbage);
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"seed {seed}, objective {objective}, buffer filled with {garbage}: entry {i} is {actual[i]}, clear + accumulate gives {expected[i]}");
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>A parameter the loss does not use gets a zero gradient; one used twice gets both contributions.</summary>
    [Fact]
    public void UnusedParametersGetZeroAndParametersUsedTwiceGetBothContributions()
    {
        float[] w = [0.5f, -1f, 2f, 0.25f, 1f, -0.5f], b = [0.1f, -0.2f], unused = [3f, 4f];
        float[] Run(ParameterGradients mode, float fill)
        {
            float[] gradient = new float[10];
            Array.Fill(gradient, mode == ParameterGradients.Overwrite ? fill : 0f);
            var tape = new Tape<float>();
            Var vw = tape.Parameter(w, gradient.AsMemory(0, 6), TensorShape.Matrix(2, 3));
            Var vb = tape.Parameter(b, gradient.AsMemory(6, 2), TensorShape.Vector(2));
            tape.Parameter(unused, gradient.AsMemory(8, 2), TensorShape.Vector(2));
            Var x = tape.Input([1f, 2f, -1f, 0.5f, 0f, 3f], TensorShape.Matrix(2, 3));
            Var h = tape.Linear(x, vw, vb, Activation.Tanh);
            // W again, through a second Linear on a reshaped view of itself (same gradient memory): both add up.
            Var again = tape.Linear(x, tape.Reshape(vw, TensorShape.Matrix(2, 3)), vb);
            tape.Backward(tape.Sum(tape.Multiply(h, again)), mode);
            return gradient;
        }
        float[] expected = Run(ParameterGradients.Accumulate, 0f);
        Assert.Equal(0f, expected[8]);
        // Independently: the two uses of W with separate gradient buffers, added.
        float[] first = new float[6], second = new float[6], biasGradient = new float[2];
        {
            var tape = new Tape<float>();
            Var w1 = tape.Parameter(w, first, TensorShape.Matrix(2, 3));
            Var w2 = tape.Parameter((float[])w.Clone(), second, TensorShape.Matrix(2, 3));
            Var vb = tape.Parameter(b, biasGradient, TensorShape.Vector(2));
            Var x = tape.Input([1f, 2f, -1f, 0.5f, 0f, 3f], TensorShape.Matrix(2, 3));
            tape.Backward(tape.Sum(tape.Multiply(tape.Linear(x, w1, vb, Activation.Tanh), tape.Linear(x, w2, vb))));
        }
        for (int i = 0; i < 6; i++) Assert.Equal(second[i] + first[i], expected[i]);
        Assert.Equal(expected, Run(ParameterGradients.Overwrite, float.NaN));
        Assert.Equal(expected, Run(ParameterGradients.Overwrite, 1e30f));
    }

    /// <summary>Two parameters bound to the same gradient buffer share it (both contributions), and partly overlapping ones are accumulated.</summary>
    [Fact]
    public void ParametersSharingOrOverlappingAGradientBufferAddUp()
    {
        float[] w = [0.5f, -1f, 2f, 0.25f, 1f, -0.5f, 0.75f, -2f], b = [0.1f, -0.2f];
        float[] Run(ParameterGradients mode, int secondOffset)
        {
            float[] gradient = new float[12];
            Array.Fill(gradient, mode == ParameterGradients.Overwrite ? float.NaN : 0f);
            var tape = new Tape<float>();
            Var w1 = tape.Parameter(w.AsMemory(0, 6), gradient.AsMemory(0, 6), TensorShape.Matrix(2, 3));
            Var w2 = tape.Parameter(w.AsMemory(0, 6), gradient.AsMemory(secondOffset, 6), TensorShape.Matrix(2, 3));
            Var vb = tape.Parameter(b, gradient.AsMemory(10, 2), TensorShape.Vector(2));
            Var x = tape.Input([1f, 2f, -1f, 0.5f, 0f, 3f], TensorShape.Matrix(2, 3));
            tape.Backward(tape.Sum(tape.Multiply(tape.Linear(x, w1, vb, Activation.Tanh), tape.Linear(x, w2, vb))), mode);
            return gradient;
        }
        foreach (int offset in new[] { 0, 2, 4 })
        {
            // Entries no parameter covers are nobody's: only the covered ones are compared.
            int[] covered = [.. Enumerable.Range(0, offset + 6), 10, 11];
            float[] expected = Run(ParameterGradients.Accumulate, offset), actual = Run(ParameterGradients.Overwrite, offset);
            Assert.True(Array.TrueForAll(expected, float.IsFinite));
            Assert.Equal(covered.Select(i => expected[i]), covered.Select(i => actual[i]));
        }
    }

    /// <summary>The default keeps its contract: parameter gradients accumulate over calls.</summary>
    [Fact]
    public void TheDefaultStillAccumulatesOverCalls()
    {
        float[] w = [0.5f, -1f], b = [0.25f], gradient = new float[3];
        float[] Once()
        {
            var tape = new Tape<float>();
            Var vw = tape.Parameter(w, gradient.AsMemory(0, 2), TensorShape.Matrix(1, 2));
            Var vb = tape.Parameter(b, gradient.AsMemory(2, 1), TensorShape.Vector(1));
            tape.Backward(tape.Sum(tape.Linear(tape.Input([2f, 3f], TensorShape.Matrix(1, 2)), vw, vb)));
            return (float[])gradient.Clone();
        }
        Assert.Equal(new[] { 2f, 3f, 1f }, Once());
        Assert.Equal(new[] { 4f, 6f, 2f }, Once());
    }
}
