using Vae.Simd.Cli.Pictures;
using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae reconstruct</c>: test images above their reconstructions.</summary>
internal sealed class ReconstructCommand : ICommand
{
    public string Name => "reconstruct";
    public string Summary => "Write images (default: the test set of the model's own data) above their reconstructions as PNG.";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [ModelOptions.Model, ModelOptions.Data, ModelOptions.Split, new("n", "N", "Number of images.", "32"), new("out", "FILE", "The PNG to write.", "recon.png")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int n = options.Int("n", 1, 1000);
        using VariationalAutoencoder model = ModelOptions.Load(options, out var trainedOn);
        int side = ModelOptions.RequireImages(model, "vae reconstruct");
        Dataset test = ModelOptions.LoadData(options, model, trainedOn, stderr);
        n = Math.Min(n, test.Count);
        int columns = Math.Min(n, 16);
        var originals = new float[n * model.InputSize];
        test.CopyBatch(Enumerable.Range(0, n).ToArray(), originals);
        var reconstructions = new float[originals.Length];
        model.Reconstruct(originals, reconstructions);
        (float[] tiles, int tileCount) = ImageGrid.OriginalsAboveReconstructions(originals, reconstructions, n, model.InputSize, columns);
        ModelOptions.WriteGrid(options.RequiredString("out"), tiles, tileCount, side, columns, padding: 2, ImageGrid.PairGaps);
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({n} originals from {test.Source}, each row above the row of their reconstructions)");
        return 0;
    }
}
