using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

public class ElementWiseTests
{
    // Lengths around the vector width and the unrolled body, plus larger ones.
    private static readonly Gen<int> Length = Gen.Frequency(
        (2, Gen.Elements(0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33)), (1, Gen.Choose(0, 3000)));

    public static Arbitrary<(int Length, int Seed)> Cases() =>
        (from n in Length from seed in Gen.Choose(0, int.MaxValue) select (n, seed)).ToArbitrary();

    private static float[] Random(int length, int seed, float scale = 10f)
    {
        var random = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return a;
    }

    private static bool Same(ReadOnlySpan<float> actual, Func<int, double> expected, double relative)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected(i);
            if (!(Math.Abs(actual[i] - e) <= relative * Math.Max(1.0, Math.Abs(e))))
                throw new Xunit.Sdk.XunitException($"element {i}: {actual[i]} vs {e}");
        }
        return true;
    }

    [Property(MaxTest = 40, Arbitrary = [typeof(ElementWiseTests)])]
    public bool BinaryKernelsMatchDoubleReference((int Length, int Seed) c)
    {
        float[] x = Random(c.Length, c.Seed), y = Random(c.Length, c.Seed + 1), d = new float[c.Length];
        const double Ulp = 1.2e-7;
        ElementWise.Add(x, y, d); Same(d, i => (double)x[i] + y[i], Ulp);
        ElementWise.Subtract(x, y, d); Same(d, i => (double)x[i] - y[i], Ulp);
        ElementWise.Multiply(x, y, d); Same(d, i => (double)x[i] * y[i], Ulp);
        ElementWise.Scale(-1.5f, x, d); Same(d, i => -1.5 * x[i], Ulp);
        float[] acc = Random(c.Length, c.Seed + 2), before = (float[])acc.Clone();
        ElementWise.MultiplyAdd(x, y, acc); Same(acc, i => before[i] + (double)x[i] * y[i], 2 * Ulp);
        before = (float[])acc.Clone();
        ElementWise.Axpy(0.75f, x, acc); Same(acc, i => before[i] + 0.75 * x[i], 2 * Ulp);
        return true;
    }

    [Property(MaxTest = 20, Arbitrary = [typeof(ElementWiseTests)])]
    public bool InPlaceUseGivesTheSameResult((int Length, int Seed) c)
    {
        float[] x = Random(c.Length, c.Seed), y = Random(c.Length, c.Seed + 1), expected = new float[c.Length];
        ElementWise.Add(x, y, expected);
        ElementWise.Add(x, y, x);
        Assert.Equal(expected, x);
        float[] t = Random(c.Length, c.Seed), tExpected = new float[c.Length];
        VectorMath.Tanh(t, tExpected);
        VectorMath.Tanh(t, t);
        Assert.Equal(tExpected, t);
        return true;
    }

    [Fact]
    public void AddRowBiasAddsToEveryRow()
    {
        const int Rows = 5, Columns = 19;
        float[] m = Random(Rows * Columns, 3), bias = Random(Columns, 4), original = (float[])m.Clone();
        ElementWise.AddRowBias(m, Rows, bias);
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Columns; c++)
                Assert.Equal(original[r * Columns + c] + bias[c], m[r * Columns + c]);
    }

    [Fact]
    public void LengthMismatchNamesBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => ElementWise.Add(new float[3], new float[4], new float[3]));
        Assert.Contains("3", e.Message);
        Assert.Contains("4", e.Message);
        e = Assert.Throws<ArgumentException>(() => ElementWise.AddRowBias(new float[10], 3, new float[3]));
        Assert.Contains("3x3", e.Message);
        Assert.Throws<ArgumentException>(() => VectorMath.Exp(new float[5], new float[6]));
    }
}
