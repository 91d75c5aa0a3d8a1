namespace Vae.Simd.Cli.Pictures;

/// <summary>One line of a panel: its legend name, its points, its colour (#rrggbb) and whether it is dashed.</summary>
internal sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Colour, bool Dashed = false);

/// <summary>
/// One panel of a figure of panels (<see cref="SvgPlot.RenderPanels"/>, <see cref="PlotRaster"/>): its series and axes,
/// x optionally logarithmic (ticks at whole decades). The axis ranges and the mapping to the unit square are computed
/// here once, so the SVG and the PNG draw the same picture.
/// </summary>
internal sealed class PlotPanel
{
    /// <summary>A panel; points with a non-finite coordinate (or x ≤ 0 on a log axis) are left out.</summary>
    /// <exception cref="ArgumentException">No series has a point to plot.</exception>
    public PlotPanel(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, bool logX)
    {
        Title = title; XLabel = xLabel; YLabel = yLabel; LogX = logX;
        Series = [.. series.Select(s => s with { Points = [.. s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logX || p.X > 0))] })];
        var points = Series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0) throw new ArgumentException($"PlotPanel '{title}': there is no finite point to plot.");
        if (logX)
        {
            (XMin, XMax, XStep) = (Math.Floor(Math.Log10(points.Min(p => p.X))), Math.Ceiling(Math.Log10(points.Max(p => p.X))), 1);
            if (XMax <= XMin) XMax = XMin + 1;
        }
        else (XMin, XMax, XStep) = SvgPlot.NiceRange(points.Min(p => p.X), points.Max(p => p.X));
        (YMin, YMax, YStep) = SvgPlot.NiceRange(points.Min(p => p.Y), points.Max(p => p.Y));
    }

    /// <summary>The panel's title.</summary>
    public string Title { get; }
    /// <summary>The x axis' label.</summary>
    public string XLabel { get; }
    /// <summary>The y axis' label.</summary>
    public string YLabel { get; }
    /// <summary>Whether x is drawn on a log scale.</summary>
    public bool LogX { get; }
    /// <summary>The series, finite points only.</summary>
    public IReadOnlyList<PlotSeries> Series { get; }
    /// <summary>The left end of x, in decades when <see cref="LogX"/>.</summary>
    public double XMin { get; }
    /// <summary>The right end of x, in decades when <see cref="LogX"/>.</summary>
    public double XMax { get; }
    /// <summary>The x tick step (1 decade when <see cref="LogX"/>).</summary>
    public double XStep { get; }
    /// <summary>The bottom of y.</summary>
    public double YMin { get; }
    /// <summary>The top of y.</summary>
    public double YMax { get; }
    /// <summary>The y tick step.</summary>
    public double YStep { get; }

    /// <summary>x as a fraction of the axis (0 left, 1 right).</summary>
    public double U(double x) => ((LogX ? Math.Log10(x) : x) - XMin) / (XMax - XMin);

    /// <summary>y as a fraction of the axis (0 bottom, 1 top).</summary>
    public double V(double y) => (y - YMin) / (YMax - YMin);

    /// <summary>The x ticks as (fraction, label); on a log axis whole decades labelled by their exponent.</summary>
    public IEnumerable<(double At, string Label, double Value)> XTicks() => SvgPlot.Ticks(XMin, XMax, XStep)
        .Select(t => ((t - XMin) / (XMax - XMin), LogX ? ((int)Math.Round(t)).ToString(System.Globalization.CultureInfo.InvariantCulture) : SvgPlot.Tick(t, XStep), LogX ? Math.Pow(10, t) : t));

    /// <summary>The y ticks as (fraction, label).</summary>
    public IEnumerable<(double At, string Label, double Value)> YTicks() => SvgPlot.Ticks(YMin, YMax, YStep)
        .Select(t => ((t - YMin) / (YMax - YMin), SvgPlot.Tick(t, YStep), t));
}
