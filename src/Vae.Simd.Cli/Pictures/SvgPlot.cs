using System.Globalization;
using System.Security;
using System.Text;

namespace Vae.Simd.Cli.Pictures;

/// <summary>A line plot as SVG: named series of (x, y) points, axes with round tick values, a legend, a title.</summary>
internal static class SvgPlot
{
    private const int Width = 720, Height = 440, Left = 80, Right = 170, Top = 40, Bottom = 60;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"];

    /// <summary>Renders the series; points with a non-finite coordinate are skipped.</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (points.Count == 0) throw new ArgumentException("SvgPlot: there is no finite point to plot.");
        (double xMin, double xMax, double xStep) = NiceRange(points.Min(p => p.X), points.Max(p => p.X));
        (double yMin, double yMax, double yStep) = NiceRange(points.Min(p => p.Y), points.Max(p => p.Y));
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => Top + (yMax - y) / (yMax - yMin) * plotHeight;
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        foreach (double t in Ticks(xMin, xMax, xStep))
            svg.Append($"<line class=\"xtick\" data-value=\"{Exact(t)}\" x1=\"{F(X(t))}\" y1=\"{Top}\" x2=\"{F(X(t))}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/><text x=\"{F(X(t))}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{Tick(t, xStep)}</text>\n");
        foreach (double t in Ticks(yMin, yMax, yStep))
            svg.Append($"<line class=\"ytick\" data-value=\"{Exact(t)}\" x1=\"{Left}\" y1=\"{F(Y(t))}\" x2=\"{Width - Right}\" y2=\"{F(Y(t))}\" stroke=\"#eee\"/><text x=\"{Left - 8}\" y=\"{F(Y(t) + 4)}\" text-anchor=\"end\">{Tick(t, yStep)}</text>\n");
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(plotWidth)}\" height=\"{F(plotHeight)}\" fill=\"none\" stroke=\"#333\"/>\n");
        svg.Append($"<text x=\"{F(Left + plotWidth / 2)}\" y=\"{Height - 16}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append($"<text transform=\"translate(20 {F(Top + plotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n");
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var line = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => $"{F(X(p.X))},{F(Y(p.Y))}");
            svg.Append($"<polyline class=\"series\" data-name=\"{Escape(series[s].Name)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', line)}\"/>\n");
            int legendY = Top + 16 + 20 * s;
            svg.Append($"<line x1=\"{Width - Right + 14}\" y1=\"{legendY - 4}\" x2=\"{Width - Right + 38}\" y2=\"{legendY - 4}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{Width - Right + 44}\" y=\"{legendY}\">{Escape(series[s].Name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>An axis range widened to multiples of a 1-2-5 step, with about five ticks.</summary>
    internal static (double Min, double Max, double Step) NiceRange(double min, double max)
    {
        if (max - min <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(min), Math.Abs(max))))
        {
            // A flat series still gets an axis: widen around the value by a tenth of it (at least 1).
            double half = Math.Max(1, Math.Abs(min) / 10);
            (min, max) = (min - half, max + half);
        }
        double raw = (max - min) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = magnitude * (raw / magnitude <= 1 ? 1 : raw / magnitude <= 2 ? 2 : raw / magnitude <= 5 ? 5 : 10);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    /// <summary>The tick values min, min + step, …, max, computed by index so that rounding does not accumulate (and zero prints as 0).</summary>
    internal static IEnumerable<double> Ticks(double min, double max, double step)
    {
        int count = (int)Math.Round((max - min) / step);
        for (int i = 0; i <= count; i++)
        {
            double t = min + i * step;
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
        }
    }

    /// <summary>A tick label with as many decimals as the step needs; thousands and millions as k and M (60k, 1.5M).</summary>
    internal static string Tick(double value, double step)
    {
        double largest = Math.Max(Math.Abs(value), step);
        (double scale, string suffix) = largest >= 1e6 ? (1e6, "M") : largest >= 1e4 ? (1e3, "k") : (1, "");
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step / scale) + 1e-9), 0, 12);
        return (value / scale).ToString("F" + decimals, CultureInfo.InvariantCulture) + suffix;
    }

    private static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
