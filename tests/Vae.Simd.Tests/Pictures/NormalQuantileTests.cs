using Vae.Simd.Cli.Pictures;

namespace Vae.Simd.Tests.Pictures;

public class NormalQuantileTests
{
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(0.001, -3.090232306167813)]
    [InlineData(0.8413447460685429, 1.0)]
    [InlineData(0.02275013194817921, -2.0)] // the switch to the tail formula is at 0.02425
    [InlineData(0.9986501019683699, 3.0)]
    [InlineData(1e-10, -6.361340902404056)]
    [InlineData(0.05, -1.6448536269514729)]
    public void MatchesKnownValuesWithinAcklamsBound(double p, double z) =>
        Assert.True(Math.Abs(NormalQuantile.Of(p) - z) <= 1.15e-9 * Math.Max(1, Math.Abs(z)), $"quantile({p}) = {NormalQuantile.Of(p):R}, expected {z:R}");

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void ProbabilitiesOutsideTheOpenIntervalAreRefused(double p) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalQuantile.Of(p));

    [Fact]
    public void TheGridIsSymmetricIncreasingAndAtTheMidpointQuantiles()
    {
        double[] grid = NormalQuantile.Grid(20);
        Assert.Equal(20, grid.Length);
        for (int i = 0; i < 20; i++) Assert.Equal(-grid[19 - i], grid[i], 12);
        for (int i = 1; i < 20; i++) Assert.True(grid[i] > grid[i - 1]);
        Assert.True(Math.Abs(grid[0] + 1.959963984540054) <= 1.15e-9 * 1.96, $"{grid[0]:R}"); // (0 + ½)/20 = 0.025
        Assert.Equal([0.0], NormalQuantile.Grid(1));
    }

    [Fact]
    public void ManifoldLatentsRiseRightwardsAndUpwards()
    {
        float[] z = NormalQuantile.ManifoldLatents(3);
        double q = NormalQuantile.Of(5.0 / 6);
        // Row 0 (top): z2 = +q; column 0 (left): z1 = -q.
        Assert.Equal(new[] { -q, q, 0, q, q, q }.Select(v => (float)v), z[..6]);
        Assert.Equal(new[] { -q, -q, 0, -q, q, -q }.Select(v => (float)v), z[12..]);
    }
}
