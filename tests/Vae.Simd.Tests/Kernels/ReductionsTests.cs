using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;

namespace Vae.Simd.Tests.Kernels;

public class ReductionsTests
{
    public static Arbitrary<(int Rows, int Columns, int Seed)> Shapes() =>
        (from r in Gen.Choose(1, 40)
         from c in Gen.Frequency((2, Gen.Elements(1, 7, 8, 9, 31, 32, 33)), (1, Gen.Choose(1, 900)))
         from s in Gen.Choose(0, int.MaxValue)
         select (r, c, s)).ToArbitrary();

    private static float[] Random(int length, int seed, double scale)
    {
        var random = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return a;
    }

    [Property(MaxTest = 40, Arbitrary = [typeof(ReductionsTests)])]
    public bool RowAndColumnReductionsMatchDoubleReference((int Rows, int Columns, int Seed) s)
    {
        float[] m = Random(s.Rows * s.Columns, s.Seed, 20);
        var rowSums = new float[s.Rows];
        var lse = new float[s.Rows];
        var columnSums = Random(s.Columns, s.Seed + 1, 1);
        var columnStart = (float[])columnSums.Clone();
        Reductions.RowSums(m, s.Rows, s.Columns, rowSums);
        Reductions.RowLogSumExp(m, s.Rows, s.Columns, lse);
        Reductions.AddColumnSums(m, s.Rows, s.Columns, columnSums);
        for (int r = 0; r < s.Rows; r++)
        {
            double sum = 0, magnitude = 0, max = double.NegativeInfinity;
            for (int c = 0; c < s.Columns; c++) { sum += m[r * s.Columns + c]; magnitude += Math.Abs(m[r * s.Columns + c]); max = Math.Max(max, m[r * s.Columns + c]); }
            double expSum = 0;
            for (int c = 0; c < s.Columns; c++) expSum += Math.Exp(m[r * s.Columns + c] - max);
            double lseExpected = max + Math.Log(expSum);
            Assert.True(Math.Abs(rowSums[r] - sum) <= (s.Columns + 1) * 1.2e-7 * magnitude + 1e-6, $"row sum {r}");
            Assert.True(Math.Abs(lse[r] - lseExpected) <= 1e-6 * Math.Max(1, Math.Abs(lseExpected)) + 1e-6 * Math.Log(s.Columns + 1), $"logsumexp {r}: {lse[r]} vs {lseExpected}");
        }
        for (int c = 0; c < s.Columns; c++)
        {
            double sum = columnStart[c], magnitude = Math.Abs(columnStart[c]);
            for (int r = 0; r < s.Rows; r++) { sum += m[r * s.Columns + c]; magnitude += Math.Abs(m[r * s.Columns + c]); }
            Assert.True(Math.Abs(columnSums[c] - sum) <= (s.Rows + 1) * 1.2e-7 * magnitude, $"column sum {c}");
        }
        return true;
    }

    [Property(MaxTest = 40, Arbitrary = [typeof(ReductionsTests)])]
    public bool SumAndMaxMatchReference((int Rows, int Columns, int Seed) s)
    {
        float[] x = Random(s.Rows * s.Columns, s.Seed, 1000);
        double sum = x.Sum(v => (double)v), magnitude = x.Sum(v => Math.Abs((double)v));
        Assert.True(Math.Abs(Reductions.Sum(x) - sum) <= x.Length * 1.2e-7 * magnitude);
        Assert.Equal(x.Max(), Reductions.Max(x));
        return true;
    }

    /// <summary>AllFinite against float.IsFinite at every length to 100 and every position of one NaN, ±∞ (body and tail), among extreme finite values.</summary>
    [Fact]
    public void AllFiniteFindsEveryNonFiniteValueAnywhere()
    {
        float[] finite = [float.MaxValue, -float.MaxValue, float.Epsilon, -0f, 0f, 1.17549435e-38f, 3.4e38f, -1f, 0.5f];
        var random = new Random(11);
        for (int n = 0; n <= 100; n++)
        {
            float[] x = Enumerable.Range(0, n).Select(_ => finite[random.Next(finite.Length)]).ToArray();
            Assert.True(Reductions.AllFinite(x), $"length {n}, all finite");
            for (int at = 0; at < n; at++)
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)) })
                {
                    float kept = x[at];
                    x[at] = bad;
                    Assert.False(Reductions.AllFinite(x), $"length {n}: {bad} at {at} not found");
                    x[at] = kept;
                }
        }
    }

    [Fact]
    public void MaxPropagatesNaNFromBodyAndTail()
    {
        float[] x = new float[20];
        x[3] = float.NaN;
        Assert.True(float.IsNaN(Reductions.Max(x)));
        x[3] = 0; x[19] = float.NaN;
        Assert.True(float.IsNaN(Reductions.Max(x)));
        Assert.Throws<ArgumentException>(() => Reductions.Max([]));
    }

    [Fact]
    public void LogSumExpIsStableForHugeAndHandlesInfinities()
    {
        var d = new float[3];
        Reductions.RowLogSumExp([1000f, 1000f, -1000f, -1000f, float.NegativeInfinity, float.NegativeInfinity], 3, 2, d);
        Assert.Equal(1000f + MathF.Log(2f), d[0], 3);
        Assert.Equal(-1000f + MathF.Log(2f), d[1], 3);
        Assert.Equal(float.NegativeInfinity, d[2]);
    }
}
