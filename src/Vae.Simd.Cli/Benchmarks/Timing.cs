using System.Diagnostics;

namespace Vae.Simd.Cli.Benchmarks;

/// <summary>Repeated timing with warm-up; reports the median, which a noisy shared machine disturbs least.</summary>
internal static class Timing
{
    /// <summary>
    /// Runs <paramref name="action"/> untimed at least <paramref name="warmup"/> times and for at least
    /// half a second (so the JIT's tiered compilation has settled), then times <paramref name="repetitions"/> runs.
    /// </summary>
    public static double[] Measure(Action action, int warmup, int repetitions)
    {
        long warmupStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmupStart).TotalSeconds < 0.5; i++) action();
        var seconds = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        return seconds;
    }

    public static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}
