using Vae.Simd.Files;
using System.Text.Json;
using Vae.Simd.Cli.Pictures;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae plot</c>: the learning curve from a metrics file, like the paper's figures.</summary>
internal sealed class PlotCommand : ICommand
{
    public string Name => "plot";
    public string Summary => "Plot train and test ELBO against training examples seen (SVG) from a --metrics file.";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [new("metrics", "FILE", "The JSON-lines metrics written by vae train.", "metrics.jsonl"), new("out", "FILE", "The SVG to write.", "curve.svg")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string path = options.RequiredString("metrics");
        if (!File.Exists(path)) throw new UsageException($"--metrics '{path}': no such file.");
        int epochs = WriteCurve(path, options.RequiredString("out"));
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({epochs} epochs)");
        return 0;
    }

    /// <summary>Reads a metrics file and writes its learning curve; returns the number of epochs plotted.</summary>
    internal static int WriteCurve(string path, string output)
    {
        var train = new List<(double, double)>();
        var test = new List<(double, double)>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using JsonDocument json = JsonDocument.Parse(line);
                JsonElement root = json.RootElement;
                double seen = root.GetProperty("examples_seen").GetDouble();
                train.Add((seen, root.GetProperty("train_elbo").GetDouble()));
                test.Add((seen, root.GetProperty("test_elbo").GetDouble()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: line {lineNumber} is not a metrics record ({e.Message}).");
            }
        }
        if (train.Count == 0) throw new InvalidDataException($"{path}: no metrics records.");
        string svg = SvgPlot.Render("Learning curve", "training examples seen", "ELBO (nats per example)", [("train", train), ("test", test)]);
        AtomicWrite.ToFile(output, svg);
        return train.Count;
    }
}
