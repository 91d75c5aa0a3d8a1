using Vae.Simd.Cli.Pictures;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae manifold</c>: for a 2-D latent, decodings over a grid of the Gaussian's quantiles (the paper's figure 4).</summary>
internal sealed class ManifoldCommand : ICommand
{
    public string Name => "manifold";
    public string Summary => "For a 2-D latent space: decode a grid of N(0, I) quantiles into a PNG (the learned manifold).";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [ModelOptions.Model, new("grid", "N", "Points per axis.", "20"), new("out", "FILE", "The PNG to write.", "manifold.png")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int grid = options.Int("grid", 2, 100);
        using VariationalAutoencoder model = ModelOptions.Load(options, out var trainedOn);
        if (model.LatentSize != 2) throw new UsageException($"the manifold is drawn for a 2-D latent space; this model has {model.LatentSize} dimensions (train with --latent 2).");
        int side = ModelOptions.RequireImages(model, "vae manifold");
        float[] z = NormalQuantile.ManifoldLatents(grid);
        var images = new float[grid * grid * model.InputSize];
        model.Decode(z, images);
        ModelOptions.WriteGrid(options.RequiredString("out"), images, grid * grid, side, grid, padding: 0);
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({grid}x{grid} manifold{ModelOptions.TrainedOn(trainedOn)})");
        return 0;
    }
}
