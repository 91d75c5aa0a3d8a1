using Vae.Simd.Cli.Pictures;
using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae reconstruct</c>: test images above their reconstructions.</summary>
internal sealed class ReconstructCommand : ICommand
{
    public string Name => "reconstruct";
    public string Summary => "Write test images (top rows) above their reconstructions (bottom rows) as PNG.";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [ModelOptions.Model, ModelOptions.Data, new("n", "N", "Number of images.", "32"), new("out", "FILE", "The PNG to write.", "recon.png")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int n = options.Int("n", 1, 1000);
        using VariationalAutoencoder model = ModelOptions.Load(options);
        int side = ModelOptions.RequireImages(model, "vae reconstruct");
        (_, Dataset test) = DataSources.Load(options.RequiredString("data"), stderr);
        ModelOptions.CheckData(model, test);
        n = Math.Min(n, test.Count);
        int columns = Math.Min(n, 16);
        var originals = new float[n * model.InputSize];
        test.CopyBatch(Enumerable.Range(0, n).ToArray(), originals);
        var reconstructions = new float[originals.Length];
        model.Reconstruct(originals, reconstructions);
        (float[] tiles, int tileCount) = ImageGrid.OriginalsAboveReconstructions(originals, reconstructions, n, model.InputSize, columns);
        ModelOptions.WriteGrid(options.RequiredString("out"), tiles, tileCount, side, columns);
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({n} originals above their reconstructions)");
        return 0;
    }
}
