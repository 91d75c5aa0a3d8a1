using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae sample</c>: a grid of decodings of z ~ N(0, I).</summary>
internal sealed class SampleCommand : ICommand
{
    public string Name => "sample";
    public string Summary => "Decode draws from the prior into a PNG grid.";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [ModelOptions.Model, ModelOptions.Seed, new("n", "N", "Number of samples.", "64"), new("out", "FILE", "The PNG to write.", "samples.png")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int n = options.Int("n", 1, 10_000);
        using VariationalAutoencoder model = ModelOptions.Load(options, out var trainedOn);
        int side = ModelOptions.RequireImages(model, "vae sample");
        var images = new float[n * model.InputSize];
        model.Sample(n, (ulong)options.Long("seed", 0), images);
        (int width, int height) = ModelOptions.WriteGrid(options.RequiredString("out"), images, n, side, (int)Math.Ceiling(Math.Sqrt(n)));
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({n} samples, {width}x{height}{ModelOptions.TrainedOn(trainedOn)})");
        return 0;
    }
}
