using System.Globalization;
using System.Xml.Linq;
using Vae.Simd.Cli.Pictures;

namespace Vae.Simd.Tests.Pictures;

public class SvgPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void PolylinePointsMapBackToTheDataThroughTheTicks()
    {
        (double, double)[] train = [(60000, -165.8), (120000, -121.6), (180000, double.NaN), (240000, -110.4), (double.PositiveInfinity, -100)];
        (double, double)[] test = [(60000, -127.8), (120000, -115.7), (180000, -111.7), (240000, -108.9)];
        XDocument svg = XDocument.Parse(SvgPlot.Render("Learning curve", "examples", "ELBO", [("train", train), ("test", test)]));

        // The screen transform, recovered from the first and last tick lines and their exact values.
        (Func<double, double> toX, double xLow, double xHigh) = Axis(svg, "xtick", "x1");
        (Func<double, double> toY, double yLow, double yHigh) = Axis(svg, "ytick", "y1");
        var lines = svg.Descendants(Svg + "polyline").ToList();
        Assert.Equal(["train", "test"], lines.Select(l => (string?)l.Attribute("data-name")));
        foreach ((XElement line, (double X, double Y)[] data) in lines.Zip([train, test]))
        {
            var expected = data.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray(); // NaN and ∞ are skipped
            double[][] points = line.Attribute("points")!.Value.Split(' ').Select(p => p.Split(',').Select(Number).ToArray()).ToArray();
            Assert.Equal(expected.Length, points.Length);
            for (int i = 0; i < points.Length; i++)
            {
                // Coordinates are written to 0.01 px: about 0.01 / 470 px of the x range, 0.01 / 340 of the y range.
                Assert.Equal(expected[i].X, toX(points[i][0]), (xHigh - xLow) * 5e-5);
                Assert.Equal(expected[i].Y, toY(points[i][1]), (yHigh - yLow) * 5e-5);
            }
        }
        // The ticks cover every plotted value.
        Assert.True(xLow <= 60000 && xHigh >= 240000, $"x ticks {xLow}..{xHigh}");
        Assert.True(yLow <= -165.8 && yHigh >= -108.9, $"y ticks {yLow}..{yHigh}");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "Learning curve");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "train");
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "test");
    }

    [Fact]
    public void OutputIsDeterministicAndEscaped()
    {
        (double, double)[] points = [(0.5, 1.25), (1.5, 2.75)];
        string first = SvgPlot.Render("a < b & \"c\"", "x", "y", [("s<1>", points)]);
        Assert.Equal(first, SvgPlot.Render("a < b & \"c\"", "x", "y", [("s<1>", points)]));
        XDocument svg = XDocument.Parse(first);
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == "a < b & \"c\"");
        Assert.Equal("s<1>", (string?)svg.Descendants(Svg + "polyline").Single().Attribute("data-name"));
    }

    [Fact]
    public void NothingFiniteToPlotIsRefused() =>
        Assert.Throws<ArgumentException>(() => SvgPlot.Render("t", "x", "y", [("s", [(1.0, double.NaN), (double.NaN, 2.0)])]));

    [Theory]
    [InlineData(-165.8, -105.7, -180, -100, 20)]
    [InlineData(60000, 3_000_000, 0, 3_000_000, 1_000_000)]
    [InlineData(0.01, 0.093, 0, 0.1, 0.02)]
    [InlineData(5, 5, 4, 6, 0.5)]                 // a flat series still gets an axis
    [InlineData(1e20, 1e20, 0.9e20, 1.1e20, 5e18)]   // even where ±1 would vanish in rounding
    public void NiceRangesUseOneTwoFiveStepsAndCoverTheData(double min, double max, double niceMin, double niceMax, double step)
    {
        (double lo, double hi, double s) = SvgPlot.NiceRange(min, max);
        Assert.Equal(step, s, step * 1e-12);
        Assert.Equal(niceMin, lo, step * 1e-9);
        Assert.Equal(niceMax, hi, step * 1e-9);
        double[] ticks = SvgPlot.Ticks(lo, hi, s).ToArray();
        Assert.InRange(ticks.Length, 3, 11);
        Assert.True(ticks[0] <= min && ticks[^1] >= max);
    }

    [Theory]
    [InlineData(-120, 20, "-120")]
    [InlineData(0.30000000000000004, 0.1, "0.3")]
    [InlineData(60000, 20000, "60k")]
    [InlineData(1_500_000, 500_000, "1.5M")]
    [InlineData(3_000_000, 1_000_000, "3M")]
    [InlineData(0.005, 0.005, "0.005")]
    public void TickLabelsAreShortAndExact(double value, double step, string label) =>
        Assert.Equal(label, SvgPlot.Tick(value, step));

    private static (Func<double, double> ScreenToValue, double Low, double High) Axis(XDocument svg, string tickClass, string coordinate)
    {
        var ticks = svg.Descendants(Svg + "line").Where(l => (string?)l.Attribute("class") == tickClass)
            .Select(l => (Value: Number(l.Attribute("data-value")!.Value), Screen: Number(l.Attribute(coordinate)!.Value))).ToList();
        Assert.True(ticks.Count >= 3, $"{ticks.Count} {tickClass} lines");
        var (first, last) = (ticks[0], ticks[^1]);
        double scale = (last.Value - first.Value) / (last.Screen - first.Screen);
        return (screen => first.Value + (screen - first.Screen) * scale, ticks.Min(t => t.Value), ticks.Max(t => t.Value));
    }
}
