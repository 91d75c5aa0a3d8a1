using System.Globalization;

namespace Vae.Simd.Cli.Pictures;

/// <summary>
/// The PNG twin of <see cref="SvgPlot.RenderPanels"/>: the same panels, frames, grid lines at the same ticks and the same
/// coloured (dashed) lines, rasterised into RGB pixels for <see cref="PngWriter"/>. It draws no text (the BCL has no
/// font rasteriser): the SVG beside it carries titles, labels and legend.
/// </summary>
internal static class PlotRaster
{
    private const int PanelWidth = 360, PanelHeight = 300, PLeft = 60, PRight = 12, PTop = 30, PBottom = 46, Head = 34, Foot = 26;

    /// <summary>The panels as (RGB pixels, width, height), laid out as <see cref="SvgPlot.RenderPanels"/> lays them out.</summary>
    public static (byte[] Pixels, int Width, int Height) Render(IReadOnlyList<PlotPanel> panels, int columns)
    {
        int rows = (panels.Count + columns - 1) / columns;
        int width = PanelWidth * Math.Min(columns, panels.Count), height = Head + PanelHeight * rows + Foot;
        var pixels = new byte[width * height * 3];
        pixels.AsSpan().Fill(255);
        for (int i = 0; i < panels.Count; i++)
        {
            PlotPanel p = panels[i];
            double x0 = i % columns * PanelWidth + PLeft, y0 = Head + i / columns * PanelHeight + PTop;
            double w = PanelWidth - PLeft - PRight, h = PanelHeight - PTop - PBottom;
            double X(double u) => x0 + u * w;
            double Y(double v) => y0 + (1 - v) * h;
            var grid = (0xEE, 0xEE, 0xEE);
            foreach ((double at, _, _) in p.XTicks()) Line(pixels, width, height, X(at), y0, X(at), y0 + h, grid, false, 1);
            foreach ((double at, _, _) in p.YTicks()) Line(pixels, width, height, x0, Y(at), x0 + w, Y(at), grid, false, 1);
            var frame = (0x33, 0x33, 0x33);
            Line(pixels, width, height, x0, y0, x0 + w, y0, frame, false, 1);
            Line(pixels, width, height, x0, y0 + h, x0 + w, y0 + h, frame, false, 1);
            Line(pixels, width, height, x0, y0, x0, y0 + h, frame, false, 1);
            Line(pixels, width, height, x0 + w, y0, x0 + w, y0 + h, frame, false, 1);
            foreach (PlotSeries series in p.Series)
            {
                var colour = Parse(series.Colour);
                for (int k = 1; k < series.Points.Count; k++)
                    Line(pixels, width, height, X(p.U(series.Points[k - 1].X)), Y(p.V(series.Points[k - 1].Y)), X(p.U(series.Points[k].X)), Y(p.V(series.Points[k].Y)), colour, series.Dashed, 2);
            }
        }
        return (pixels, width, height);
    }

    /// <summary>A line of square dots of side <paramref name="thickness"/>, one per pixel step; dashed as 5 on, 3 off.</summary>
    private static void Line(byte[] pixels, int width, int height, double xa, double ya, double xb, double yb, (int R, int G, int B) colour, bool dashed, int thickness)
    {
        int steps = Math.Max(1, (int)Math.Ceiling(Math.Max(Math.Abs(xb - xa), Math.Abs(yb - ya))));
        for (int s = 0; s <= steps; s++)
        {
            if (dashed && s % 8 >= 5) continue;
            int x = (int)Math.Round(xa + (xb - xa) * s / steps), y = (int)Math.Round(ya + (yb - ya) * s / steps);
            for (int dy = 0; dy < thickness; dy++)
                for (int dx = 0; dx < thickness; dx++)
                {
                    int px = x + dx, py = y + dy;
                    if (px < 0 || py < 0 || px >= width || py >= height) continue;
                    int at = (py * width + px) * 3;
                    pixels[at] = (byte)colour.R; pixels[at + 1] = (byte)colour.G; pixels[at + 2] = (byte)colour.B;
                }
        }
    }

    private static (int R, int G, int B) Parse(string colour) =>
        colour is ['#', .. { Length: 6 } hex]
            ? (int.Parse(hex[..2], NumberStyles.HexNumber, CultureInfo.InvariantCulture), int.Parse(hex[2..4], NumberStyles.HexNumber, CultureInfo.InvariantCulture), int.Parse(hex[4..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            : throw new ArgumentException($"PlotRaster: colour '{colour}' is not #rrggbb.");
}
