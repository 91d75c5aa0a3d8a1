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

    /// <summary>
    /// Panels side by side (<paramref name="columns"/> a row) under one title, each with its axes, ticks, legend and title;
    /// a log x axis is labelled in powers of ten. A note (what the figure does differently from the paper's) goes at the bottom.
    /// </summary>
    public static string RenderPanels(string title, IReadOnlyList<PlotPanel> panels, int columns, string note = "")
    {
        const int PanelWidth = 360, PanelHeight = 300, PLeft = 60, PRight = 12, PTop = 30, PBottom = 46, Head = 34, Foot = 26;
        int rows = (panels.Count + columns - 1) / columns;
        int width = PanelWidth * Math.Min(columns, panels.Count), height = Head + PanelHeight * rows + Foot;
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        for (int i = 0; i < panels.Count; i++)
        {
            PlotPanel p = panels[i];
            double x0 = i % columns * PanelWidth + PLeft, y0 = Head + i / columns * PanelHeight + PTop;
            double w = PanelWidth - PLeft - PRight, h = PanelHeight - PTop - PBottom;
            double X(double u) => x0 + u * w;
            double Y(double v) => y0 + (1 - v) * h;
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"panel\" data-title=\"{Escape(p.Title)}\">\n<text x=\"{F(x0 + w / 2)}\" y=\"{F(y0 - 10)}\" text-anchor=\"middle\" font-size=\"12\">{Escape(p.Title)}</text>\n");
            foreach ((double at, string label, double value) in p.XTicks())
                svg.Append($"<line class=\"xtick\" data-value=\"{Exact(value)}\" x1=\"{F(X(at))}\" y1=\"{F(y0)}\" x2=\"{F(X(at))}\" y2=\"{F(y0 + h)}\" stroke=\"#eee\"/><text x=\"{F(X(at))}\" y=\"{F(y0 + h + 16)}\" text-anchor=\"middle\">" +
                    (p.LogX ? $"10<tspan dy=\"-5\" font-size=\"8\">{label}</tspan>" : label) + "</text>\n");
            foreach ((double at, string label, double value) in p.YTicks())
                svg.Append($"<line class=\"ytick\" data-value=\"{Exact(value)}\" x1=\"{F(x0)}\" y1=\"{F(Y(at))}\" x2=\"{F(x0 + w)}\" y2=\"{F(Y(at))}\" stroke=\"#eee\"/><text x=\"{F(x0 - 5)}\" y=\"{F(Y(at) + 4)}\" text-anchor=\"end\">{label}</text>\n");
            svg.Append($"<rect x=\"{F(x0)}\" y=\"{F(y0)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"none\" stroke=\"#333\"/>\n");
            svg.Append($"<text x=\"{F(x0 + w / 2)}\" y=\"{F(y0 + h + 34)}\" text-anchor=\"middle\">{Escape(p.XLabel)}</text>\n");
            svg.Append($"<text transform=\"translate({F(x0 - 46)} {F(y0 + h / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(p.YLabel)}</text>\n");
            for (int s = 0; s < p.Series.Count; s++)
            {
                PlotSeries series = p.Series[s];
                string dash = series.Dashed ? " stroke-dasharray=\"5 3\"" : "";
                var line = series.Points.Select(q => $"{F(X(p.U(q.X)))},{F(Y(p.V(q.Y)))}");
                svg.Append($"<polyline class=\"series\" data-name=\"{Escape(series.Name)}\" fill=\"none\" stroke=\"{series.Colour}\" stroke-width=\"1.8\"{dash} points=\"{string.Join(' ', line)}\"/>\n");
                double ly = y0 + h - 10 - 14 * (p.Series.Count - 1 - s);
                svg.Append($"<line x1=\"{F(x0 + w - 120)}\" y1=\"{F(ly - 4)}\" x2=\"{F(x0 + w - 100)}\" y2=\"{F(ly - 4)}\" stroke=\"{series.Colour}\" stroke-width=\"1.8\"{dash}/><text x=\"{F(x0 + w - 96)}\" y=\"{F(ly)}\" font-size=\"10\">{Escape(series.Name)}</text>\n");
            }
            svg.Append("</g>\n");
        }
        if (note.Length > 0) svg.Append(CultureInfo.InvariantCulture, $"<text x=\"8\" y=\"{height - 9}\" font-size=\"10\" fill=\"#555\">{Escape(note)}</text>\n");
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
