using System.Globalization;
using System.Xml.Linq;
using Vae.Simd.Cli.Pictures;

namespace Vae.Simd.Tests.Pictures;

public class PictureTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, PngCrc32.Compute("123456789"u8));
        Assert.Equal(0xCBF43926u, BitwiseCrc32.Compute("123456789"u8));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(242, 242)]
    public void PngRoundTripsThroughAnIndependentDecoder(int width, int height)
    {
        var random = new Random(width * 31 + height);
        byte[] pixels = new byte[width * height];
        random.NextBytes(pixels);
        (byte[] decoded, int w, int h) = PngDecoder.Decode(PngWriter.Encode(pixels, width, height));
        Assert.Equal((width, height), (w, h));
        Assert.Equal(pixels, decoded);
    }

    [Fact]
    public void GridPlacesEachImageInsideItsCell()
    {
        // Three 2x2 images with distinct values, two per row, padding 1.
        float[] images = [0f, 0f, 0f, 0f, 1f, 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.5f];
        (byte[] pixels, int width, int height) = ImageGrid.Tile(images, 3, 2, 2, columns: 2, padding: 1);
        Assert.Equal((7, 7), (width, height));
        Assert.Equal(0, pixels[1 * 7 + 1]);
        Assert.Equal(255, pixels[1 * 7 + 4]);
        Assert.Equal(128, pixels[4 * 7 + 1]);
        Assert.Equal(32, pixels[0]); // border
        Assert.Throws<ArgumentException>(() => ImageGrid.Tile(images, 4, 2, 2, 2));
    }

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.025, -1.959963984540054)]
    [InlineData(0.001, -3.090232306167813)]
    [InlineData(0.8413447460685429, 1.0)]
    public void NormalQuantileMatchesKnownValues(double p, double z) =>
        Assert.True(Math.Abs(NormalQuantile.Of(p) - z) <= 1.15e-9 * Math.Max(1, Math.Abs(z)), $"quantile({p}) = {NormalQuantile.Of(p)}, expected {z}");

    [Fact]
    public void SvgPolylinesMapBackToTheDataAndTicksCoverTheRange()
    {
        (double, double)[] train = [(60000, -165.8), (120000, -121.6), (180000, -114.6), (240000, double.NaN)];
        (double, double)[] test = [(60000, -127.8), (120000, -115.7), (180000, -111.7)];
        XDocument svg = XDocument.Parse(SvgPlot.Render("curve", "examples", "ELBO", [("train", train), ("test", test)]));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var lines = svg.Descendants(ns + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        double[][] Points(XElement line) => line.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        double[][] trainPoints = Points(lines[0]);
        Assert.Equal(3, trainPoints.Length); // the NaN point is skipped
        // Equal x spacing in data gives equal spacing on screen; higher ELBO is higher on screen (smaller y).
        Assert.Equal(trainPoints[1][0] - trainPoints[0][0], trainPoints[2][0] - trainPoints[1][0], 1);
        Assert.True(trainPoints[1][1] < trainPoints[0][1]);
        var yTicks = svg.Descendants(ns + "line").Where(l => (string?)l.Attribute("class") == "ytick").Select(l => double.Parse(l.Attribute("y1")!.Value, CultureInfo.InvariantCulture)).ToList();
        double top = yTicks.Min(), bottom = yTicks.Max();
        Assert.All(trainPoints.Concat(Points(lines[1])), p => Assert.InRange(p[1], top, bottom));
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "train");
    }

    [Fact]
    public void NiceRangesUseRoundSteps()
    {
        (double min, double max, double step) = SvgPlot.NiceRange(-165.8, -105.7);
        Assert.Equal(20, step);
        Assert.Equal(-180, min);
        Assert.Equal(-100, max);
    }
}
