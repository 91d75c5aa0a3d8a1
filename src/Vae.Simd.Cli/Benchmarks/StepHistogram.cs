using System.Diagnostics;
using System.Text.Json;

namespace Vae.Simd.Cli.Benchmarks;

/// <summary>
/// The distribution of single training steps' times: quantiles and a coarse histogram in bins relative to
/// the median, so a run with a slow mode (a second peak) can be told from one that is uniformly slow.
/// </summary>
internal sealed class StepHistogram
{
    /// <summary>Upper bin edges as multiples of the median step; the last bin is open.</summary>
    private static readonly double[] Edges = [0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0];

    private readonly double[] _sorted;

    private StepHistogram(double[] sorted) => _sorted = sorted;

    /// <summary>From Stopwatch tick counts, one per step.</summary>
    public static StepHistogram FromTicks(long[] ticks)
    {
        double[] seconds = Array.ConvertAll(ticks, t => t / (double)Stopwatch.Frequency);
        Array.Sort(seconds);
        return new StepHistogram(seconds);
    }

    public double Median => Timing.Median(_sorted);
    public double P10 => Quantile(0.1);
    public double P90 => Quantile(0.9);
    public double Min => _sorted[0];
    public double Max => _sorted[^1];

    private double Quantile(double q) => _sorted[(int)Math.Round(q * (_sorted.Length - 1))];

    /// <summary>Writes <c>step_ms</c> quantiles and <c>step_histogram</c> (bins with upper edge in ms and count).</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject("step_times_ms");
        json.WriteNumber("steps", _sorted.Length);
        json.WriteNumber("median", Math.Round(Median * 1e3, 4));
        json.WriteNumber("p10", Math.Round(P10 * 1e3, 4));
        json.WriteNumber("p90", Math.Round(P90 * 1e3, 4));
        json.WriteNumber("min", Math.Round(Min * 1e3, 4));
        json.WriteNumber("max", Math.Round(Max * 1e3, 4));
        json.WriteEndObject();
        json.WriteStartArray("step_histogram");
        double median = Median;
        int index = 0;
        for (int bin = 0; bin <= Edges.Length; bin++)
        {
            double upper = bin < Edges.Length ? Edges[bin] * median : double.PositiveInfinity;
            int count = 0;
            while (index < _sorted.Length && _sorted[index] <= upper) { index++; count++; }
            json.WriteStartObject();
            // Steps with time ≤ upper (and above the previous bin's edge); the last bin has no upper edge.
            if (bin < Edges.Length)
            {
                json.WriteNumber("up_to_x_median", Edges[bin]);
                json.WriteNumber("up_to_ms", Math.Round(upper * 1e3, 4));
            }
            else json.WriteNumber("above_x_median", Edges[^1]);
            json.WriteNumber("count", count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
