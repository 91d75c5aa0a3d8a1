using System.Globalization;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Commands;

/// <summary>Training progress: a live bar on a terminal (redrawn in place), plain lines every few seconds otherwise.</summary>
internal sealed class ProgressPrinter(TextWriter output, int epochs) : IProgress<TrainingProgress>
{
    private readonly bool _terminal = !Console.IsErrorRedirected && ReferenceEquals(output, Console.Error);
    private DateTime _lastPrint = DateTime.MinValue;
    private bool _open;

    public void Report(TrainingProgress p)
    {
        DateTime now = DateTime.UtcNow;
        if ((now - _lastPrint).TotalSeconds < (_terminal ? 0.2 : 5) && p.ExamplesInEpoch < p.EpochSize) return;
        _lastPrint = now;
        double fraction = (double)p.ExamplesInEpoch / p.EpochSize;
        double eta = p.ImagesPerSecond > 0 ? (p.EpochSize - p.ExamplesInEpoch) / p.ImagesPerSecond : 0;
        string text = string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch + 1}/{epochs} {fraction,4:P0} {p.ImagesPerSecond,7:F0} img/s  ELBO {p.TrainElbo,8:F2}  ETA {eta,4:F0}s");
        if (_terminal)
        {
            int filled = (int)(fraction * 24);
            output.Write($"\r[{new string('#', filled)}{new string('.', 24 - filled)}] {text}");
            _open = true;
        }
        else output.WriteLine(text);
    }

    /// <summary>Ends a bar left open on the terminal, so the next line starts on its own.</summary>
    public void Finish()
    {
        if (_open) output.WriteLine();
        _open = false;
    }
}
