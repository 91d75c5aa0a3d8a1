using System.Runtime.Intrinsics;
using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Kernels;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Kernels;

/// <summary>Tests that narrow <see cref="KernelPath.Limit"/> run alone, so no other test sees a forced path mid-run.</summary>
[CollectionDefinition(nameof(KernelPathCollection), DisableParallelization = true)]
public sealed class KernelPathCollection;

/// <summary>
/// Every kernel at every lane width this machine runs (Vector256, Vector128, scalar), forced through
/// <see cref="KernelPath.Limit"/>: each width matches a double reference on random lengths with odd tails,
/// and all widths give bitwise the same result — the property that makes a model file the same on every CPU.
/// </summary>
[Collection(nameof(KernelPathCollection))]
public unsafe class KernelPathTests
{
    private static readonly int[] Lengths = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 100, 257, 1000];

    /// <summary>The widths this machine can run, widest first.</summary>
    private static IEnumerable<LaneWidth> AvailableWidths()
    {
        if (Vector256.IsHardwareAccelerated) yield return LaneWidth.Vector256;
        if (Vector128.IsHardwareAccelerated) yield return LaneWidth.Vector128;
        yield return LaneWidth.Scalar;
    }

    /// <summary>The same, as theory data (lane counts: the enum itself is internal).</summary>
    public static TheoryData<int> Widths() => new(AvailableWidths().Select(w => (int)w));

    private static T At<T>(LaneWidth width, Func<T> run)
    {
        LaneWidth saved = KernelPath.Limit;
        KernelPath.Limit = width;
        try
        {
            Assert.Equal(width, KernelPath.Width);
            return run();
        }
        finally
        {
            KernelPath.Limit = saved;
        }
    }

    /// <summary>Runs <paramref name="run"/> at every width and asserts the results are bitwise equal; returns the widest's.</summary>
    private static float[] SameAtEveryWidth(string what, Func<float[]> run)
    {
        float[]? first = null;
        LaneWidth firstWidth = default;
        foreach (LaneWidth width in AvailableWidths())
        {
            float[] result = At(width, run);
            if (first is null) { first = result; firstWidth = width; continue; }
            for (int i = 0; i < result.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(first[i]) == BitConverter.SingleToInt32Bits(result[i]),
                    $"{what}: element {i} is {first[i]:R} at {firstWidth} but {result[i]:R} at {width}");
        }
        return first!;
    }

    private static float[] Random(int length, int seed, double low = -4, double high = 4)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(low + (high - low) * random.NextDouble());
        return x;
    }

    private static void Near(double expected, float actual, double tolerance, string what)
    {
        double scale = Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= tolerance * scale, $"{what}: {actual:R} vs double reference {expected:R}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void ElementWiseKernelsMatchDoubleReferenceAtEveryWidth(int lanes)
    {
        var width = (LaneWidth)lanes;
        foreach (int n in Lengths)
        {
            float[] x = Random(n, n), y = Random(n, n + 1), d = Random(n, n + 2);
            At(width, () =>
            {
                var r = new float[n];
                ElementWise.Add(x, y, r); for (int i = 0; i < n; i++) Near((double)x[i] + y[i], r[i], 1e-7, "add");
                ElementWise.Multiply(x, y, r); for (int i = 0; i < n; i++) Near((double)x[i] * y[i], r[i], 1e-7, "multiply");
                ElementWise.Scale(-1.5f, x, r); for (int i = 0; i < n; i++) Near(-1.5 * x[i], r[i], 1e-7, "scale");
                d.CopyTo(r); ElementWise.Axpy(0.75f, x, r); for (int i = 0; i < n; i++) Near(d[i] + 0.75 * x[i], r[i], 1e-6, "axpy");
                d.CopyTo(r); ElementWise.MultiplyAdd(x, y, r); for (int i = 0; i < n; i++) Near(d[i] + (double)x[i] * y[i], r[i], 1e-6, "multiply-add");
                VectorMath.Exp(x, r); for (int i = 0; i < n; i++) Near(Math.Exp(x[i]), r[i], 2e-7, "exp");
                VectorMath.Tanh(x, r); for (int i = 0; i < n; i++) Near(Math.Tanh(x[i]), r[i], 3e-7, "tanh");
                VectorMath.Sigmoid(x, r); for (int i = 0; i < n; i++) Near(1 / (1 + Math.Exp(-x[i])), r[i], 3e-7, "sigmoid");
                VectorMath.Softplus(x, r); for (int i = 0; i < n; i++) Near(Math.Log(1 + Math.Exp(x[i])), r[i], 3e-7, "softplus");
                VectorMath.Relu(x, r); for (int i = 0; i < n; i++) Assert.Equal(Math.Max(x[i], 0f), r[i]);
                float[] positive = Random(n, n + 3, 1e-3, 50);
                VectorMath.Log(positive, r); for (int i = 0; i < n; i++) Near(Math.Log(positive[i]), r[i], 2e-7, "log");
                return 0;
            });
        }
    }

    [Fact]
    public void ElementWiseKernelsGiveTheSameBitsAtEveryWidth()
    {
        foreach (int n in Lengths)
        {
            float[] x = Random(n, 10 * n, -90, 90), y = Random(n, 10 * n + 1), d = Random(n, 10 * n + 2);
            float[] positive = Random(n, 10 * n + 3, 1e-30, 1e30);
            SameAtEveryWidth($"exp n={n}", () => { var r = new float[n]; VectorMath.Exp(x, r); return r; });
            SameAtEveryWidth($"log n={n}", () => { var r = new float[n]; VectorMath.Log(positive, r); return r; });
            SameAtEveryWidth($"log1p n={n}", () => { var r = new float[n]; VectorMath.Log1p(y, r); return r; });
            SameAtEveryWidth($"tanh n={n}", () => { var r = new float[n]; VectorMath.Tanh(y, r); return r; });
            SameAtEveryWidth($"sigmoid n={n}", () => { var r = new float[n]; VectorMath.Sigmoid(x, r); return r; });
            SameAtEveryWidth($"softplus n={n}", () => { var r = new float[n]; VectorMath.Softplus(x, r); return r; });
            SameAtEveryWidth($"relu n={n}", () => { var r = new float[n]; VectorMath.Relu(y, r); return r; });
            SameAtEveryWidth($"axpy n={n}", () => { float[] r = [.. d]; ElementWise.Axpy(0.3f, y, r); return r; });
            SameAtEveryWidth($"multiply-add n={n}", () => { float[] r = [.. d]; ElementWise.MultiplyAdd(x, y, r); return r; });
        }
    }

    [Fact]
    public void ReductionsHaveOneOrderAtEveryWidth()
    {
        foreach (int n in Lengths.Where(n => n > 0))
        {
            // Values of very different sizes, so a different order would show in the last bits.
            float[] x = Random(n, 20 * n).Select((v, i) => v * MathF.Pow(10, i % 7 - 3)).ToArray();
            float[] sum = SameAtEveryWidth($"sum n={n}", () => [Reductions.Sum(x)]);
            Near(x.Sum(v => (double)v), sum[0], 1e-5 * x.Sum(v => Math.Abs((double)v)) / Math.Max(1, Math.Abs(x.Sum(v => (double)v))), $"sum n={n}");
            float[] max = SameAtEveryWidth($"max n={n}", () => [Reductions.Max(x)]);
            Assert.Equal(x.Max(), max[0]);
            int columns = n, rows = 3;
            float[] matrix = Random(rows * columns, 21 * n, -30, 30);
            float[] lse = SameAtEveryWidth($"log-sum-exp n={n}", () => { var r = new float[rows]; Reductions.RowLogSumExp(matrix, rows, columns, r); return r; });
            for (int r = 0; r < rows; r++)
            {
                double m = matrix.Skip(r * columns).Take(columns).Max();
                Near(m + Math.Log(matrix.Skip(r * columns).Take(columns).Sum(v => Math.Exp(v - m))), lse[r], 1e-6, "log-sum-exp");
            }
        }
    }

    /// <summary>
    /// The IWAE bound's log-sum-exp gradient, dx = dy·exp(x − y), uses our exp (the BCL's differs between CPUs): the same
    /// bits at every width, equal to dy times <see cref="VectorMath.Exp"/>, and within 1e-6 of double.
    /// </summary>
    [Fact]
    public void LogSumExpGradientUsesOurExpAtEveryWidth()
    {
        foreach (int columns in new[] { 1, 5, 17, 50 })
        {
            const int rows = 4;
            float[] values = Random(rows * columns, 31 * columns, -20, 20), upstream = Random(rows, columns + 3);
            float[] y = new float[rows];
            Reductions.RowLogSumExp(values, rows, columns, y);
            float[] gradient = SameAtEveryWidth($"log-sum-exp gradient n={columns}", () =>
            {
                var tape = new Vae.Simd.Autodiff.Tape<float>();
                var x = tape.Variable(values, Vae.Simd.Tensors.TensorShape.Matrix(rows, columns));
                var lse = tape.RowLogSumExp(x);
                var weights = tape.Input(upstream, Vae.Simd.Tensors.TensorShape.Vector(rows));
                tape.Backward(tape.Sum(tape.Multiply(lse, weights)));
                return tape.Gradient(x).ToArray();
            });
            float[] shifted = new float[rows * columns], exp = new float[rows * columns];
            for (int i = 0; i < shifted.Length; i++) shifted[i] = values[i] - y[i / columns];
            VectorMath.Exp(shifted, exp);
            for (int i = 0; i < gradient.Length; i++)
            {
                Assert.Equal(upstream[i / columns] * exp[i], gradient[i]);
                Near(upstream[i / columns] * Math.Exp(values[i] - (double)y[i / columns]), gradient[i], 1e-6, "log-sum-exp gradient");
            }
        }
    }

    [Fact]
    public void BernoulliLossAndGradientGiveTheSameBitsAtEveryWidthAndMatchDouble()
    {
        foreach (int columns in new[] { 1, 7, 16, 17, 33, 784 })
        {
            const int rows = 3;
            float[] logits = Random(rows * columns, columns, -12, 12), targets = Random(rows * columns, columns + 1, 0, 1), upstream = Random(rows, columns + 2);
            float[] loss = SameAtEveryWidth($"bernoulli n={columns}", () => { var r = new float[rows]; LossKernels.BernoulliLogLikelihood(logits, targets, rows, columns, r); return r; });
            float[] gradient = SameAtEveryWidth($"bernoulli gradient n={columns}", () =>
            {
                float[] g = Random(rows * columns, 5);
                LossKernels.BernoulliLogLikelihoodGradient(logits, targets, rows, columns, upstream, g, add: true);
                return g;
            });
            // The write mode (the first writer of the logits' gradient): old contents neither read nor kept.
            float[] written = SameAtEveryWidth($"bernoulli gradient, write, n={columns}", () =>
            {
                float[] g = Random(rows * columns, 6);
                LossKernels.BernoulliLogLikelihoodGradient(logits, targets, rows, columns, upstream, g, add: false);
                return g;
            });
            float[] start = Random(rows * columns, 5);
            for (int r = 0; r < rows; r++)
            {
                double expected = 0, magnitude = 0;
                for (int c = 0; c < columns; c++)
                {
                    double l = logits[r * columns + c], x = targets[r * columns + c];
                    double term = x * l - (Math.Max(l, 0) + Math.Log(1 + Math.Exp(-Math.Abs(l))));
                    expected += term;
                    magnitude += Math.Abs(term);
                    Near(start[r * columns + c] + upstream[r] * (x - 1 / (1 + Math.Exp(-l))), gradient[r * columns + c], 1e-6, "bernoulli gradient");
                    Near(upstream[r] * (x - 1 / (1 + Math.Exp(-l))), written[r * columns + c], 1e-6, "bernoulli gradient, write");
                }
                Assert.True(Math.Abs(loss[r] - expected) <= 1e-6 * magnitude + 1e-6, $"bernoulli loss {loss[r]} vs {expected}");
            }
            // The loss over logits that reach e^−|l| in the subnormals and beyond, and over ±0, ±∞ and NaN.
            float[] wide = Random(rows * columns, columns + 3, -110, 110);
            float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 87.5f, -95f, 104f, -1e30f];
            for (int i = 0; i < wide.Length; i += 5) wide[i] = specials[i / 5 % specials.Length];
            SameAtEveryWidth($"bernoulli, wide logits, n={columns}", () => { var r = new float[rows]; LossKernels.BernoulliLogLikelihood(wide, targets, rows, columns, r); return r; });
            // A row's sum hides the last bits of its terms, so also each term alone: probe r at column r mod n, the rest of
            // its row l = 200, x = 1, whose terms are exactly 0 — every lane of the vector body and the tail is probed.
            int probes = 4 * columns + 9;
            float[] probeLogits = new float[probes * columns], probeTargets = new float[probes * columns];
            Array.Fill(probeLogits, 200f);
            Array.Fill(probeTargets, 1f);
            float[] probeValues = Random(probes, columns + 5, -110, 110);
            for (int p = 0; p < probes; p++)
            {
                probeLogits[p * columns + p % columns] = p < specials.Length ? specials[p] : probeValues[p] * (p % 2 == 0 ? 1 : 0.1f);
                probeTargets[p * columns + p % columns] = targets[p % targets.Length];
            }
            SameAtEveryWidth($"bernoulli terms n={columns}", () => { var d = new float[probes]; LossKernels.BernoulliLogLikelihood(probeLogits, probeTargets, probes, columns, d); return d; });
        }
    }

    [Fact]
    public void ActivationDerivativesGiveTheSameBitsAtEveryWidthAndMatchTheirDoubleForm()
    {
        foreach (int n in Lengths)
        {
            float[] g = Random(n, 30 * n), y = Random(n, 30 * n + 1, -1, 1), acc = Random(n, 30 * n + 2);
            Check<ReluDerivative>(g, y, acc);
            Check<TanhDerivative>(g, y, acc);
            Check<SigmoidDerivative>(g, y, acc);
            Check<SoftplusDerivative>(g, y, acc);
            Check<LogDerivative>(g, Random(n, 5, 0.1, 3), acc);
            Check<ExpDerivative>(g, y, acc);
        }

        static void Check<TRule>(float[] g, float[] saved, float[] acc) where TRule : IDerivative
        {
            float[] accumulated = SameAtEveryWidth(typeof(TRule).Name, () => { float[] dx = [.. acc]; Derivatives.Accumulate<TRule, float>(g, saved, dx); return dx; });
            float[] inPlace = SameAtEveryWidth(typeof(TRule).Name, () => { float[] dx = [.. g]; Derivatives.ApplyInPlace<TRule, float>(dx, saved); return dx; });
            for (int i = 0; i < g.Length; i++)
            {
                double exact = TRule.Scalar((double)g[i], saved[i]);
                Near(exact, inPlace[i], 1e-6, typeof(TRule).Name);
                Near(acc[i] + exact, accumulated[i], 1e-6, typeof(TRule).Name);
            }
        }
    }

    [Fact]
    public void GemmGivesTheSameBitsAtEveryWidthForEveryTransposeAndEdge()
    {
        var random = new Random(7);
        foreach ((int m, int n, int k) in new[] { (1, 1, 1), (6, 16, 8), (7, 17, 9), (13, 33, 513), (50, 40, 600), (3, 5, 2), (128, 20, 37) })
            foreach (Transpose ta in new[] { Transpose.No, Transpose.Yes })
                foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                {
                    float[] a = Random(m * k, random.Next()), b = Random(k * n, random.Next()), c0 = Random(m * n, random.Next());
                    int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
                    float[] c = SameAtEveryWidth($"gemm {m}x{n}x{k} {ta}{tb}", () =>
                    {
                        float[] c = [.. c0];
                        Gemm.Multiply(ta, tb, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, c, n);
                        return c;
                    });
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double sum = 0, magnitude = 0;
                            for (int p = 0; p < k; p++)
                            {
                                double product = (double)(ta == Transpose.No ? a[i * lda + p] : a[p * lda + i]) * (tb == Transpose.No ? b[p * ldb + j] : b[j * ldb + p]);
                                sum += product;
                                magnitude += Math.Abs(product);
                            }
                            double expected = 1.5 * sum + 0.5 * c0[i * n + j];
                            Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-6 * (1.5 * magnitude + Math.Abs(c0[i * n + j])) + 1e-6,
                                $"gemm {m}x{n}x{k} {ta}{tb} C[{i},{j}] = {c[i * n + j]} vs {expected}");
                        }
                }
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Adagrad)]
    [InlineData(OptimizerKind.Sgd)]
    public void OptimizersGiveTheSameBitsAtEveryWidth(OptimizerKind kind)
    {
        const int length = 1003;
        float[] start = Random(length, 1), gradient = Random(length, 2);
        SameAtEveryWidth($"{kind}", () =>
        {
            float[] parameters = [.. start];
            Optimizer optimizer = Optimizer.Create(kind, length, 0.01f, 0.001f);
            for (int step = 0; step < 3; step++) optimizer.Step(parameters, gradient);
            return parameters;
        });
    }

    [Fact]
    public void TrainingGivesTheSameParametersAtEveryWidth()
    {
        // Synthetic images, so the test needs no download; odd sizes put every kernel's tail to work.
        var random = new Random(3);
        const int count = 90, features = 37;
        float[] pixels = new float[count * features];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)random.NextDouble();
        var data = new DenseDataset(pixels, count, features, "synthetic");
        var config = new VaeConfig { InputSize = features, HiddenSizes = [19], LatentSize = 3 };
        var options = new TrainerOptions { BatchSize = 40, ShardSize = 16, Seed = 2, Threads = 2 };
        SameAtEveryWidth("trained parameters", () =>
        {
            using var model = new VariationalAutoencoder(config, 5);
            var trainer = new Trainer(model, data, options);
            for (int step = 0; step < 5; step++) trainer.TrainBatch();
            return model.Parameters.ToArray();
        });
    }
}
