using System.Globalization;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli.Pictures;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Commands;

/// <summary>Shared pieces of the commands that use a trained model.</summary>
internal static class ModelOptions
{
    public static readonly OptionSpec Model = new("model", "FILE", "The trained model (a checkpoint from vae train).", "model.vae");
    public static readonly OptionSpec Data = new("data", "mnist|fashion-mnist|PATH", "Data set, as for vae train.", "mnist");
    public static readonly OptionSpec Threads = new("threads", "N", "Threads.", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
    public static readonly OptionSpec Seed = new("seed", "N", "Seed of the random draws.", "1");

    public static VariationalAutoencoder Load(CommandLine options) => ModelCheckpoint.Load(options.RequiredString("model"));

    /// <summary>Side of the square images the model works on (28 for MNIST); 0 when the input is not a square.</summary>
    public static int ImageSide(VariationalAutoencoder model)
    {
        int side = (int)Math.Round(Math.Sqrt(model.InputSize));
        return side * side == model.InputSize ? side : 0;
    }

    public static int RequireImages(VariationalAutoencoder model, string command)
    {
        int side = ImageSide(model);
        return side > 0 ? side : throw new UsageException($"{command} draws square images, but this model's input has {model.InputSize} values.");
    }

    /// <summary>Tiles the images and writes them as one PNG (atomically), returning the picture's size.</summary>
    public static (int Width, int Height) WriteGrid(string path, ReadOnlySpan<float> images, int count, int side, int columns, int padding = 2)
    {
        (byte[] pixels, int width, int height) = ImageGrid.Tile(images, count, side, side, columns, padding);
        PngWriter.Write(path, pixels, width, height);
        return (width, height);
    }

    public static void CheckData(VariationalAutoencoder model, Dataset data)
    {
        if (data.Features != model.InputSize)
            throw new UsageException($"the data ({data.Source}) has {data.Features} values per example but the model takes {model.InputSize}.");
    }
}

/// <summary><c>vae eval</c>: test ELBO and the importance-weighted log p(x).</summary>
internal sealed class EvalCommand : ICommand
{
    public string Name => "eval";
    public string Summary => "Test-set ELBO and the importance-weighted estimate of log p(x).";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        ModelOptions.Model, ModelOptions.Data, ModelOptions.Threads, ModelOptions.Seed,
        new("iw", "K", "Importance samples per example for log p(x) (0 skips it).", "5000"),
        new("iw-limit", "N", "Examples scored by the importance-weighted estimate (it costs K decoder passes each).", "1000"),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int k = options.Int("iw", 0, 1_000_000), limit = options.Int("iw-limit", 1), threads = options.Int("threads", 1, 1024);
        ulong seed = (ulong)options.Long("seed", 0);
        using VariationalAutoencoder model = ModelOptions.Load(options);
        (_, Dataset test) = DataSources.Load(options.RequiredString("data"), stderr);
        ModelOptions.CheckData(model, test);
        double elbo = Evaluator.Elbo(model, test, threads, seed);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test ELBO {elbo:F2} nats over {test.Count} examples"));
        if (k > 0)
        {
            int n = Math.Min(limit, test.Count);
            double logLikelihood = Evaluator.LogLikelihood(model, test, k, n, threads, seed);
            double elboSubset = Evaluator.Elbo(model, DataSources.Take(test, n), threads, seed);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"log p(x) ≈ {logLikelihood:F2} nats (importance-weighted, K = {k}, first {n} examples; their ELBO is {elboSubset:F2})"));
        }
        return 0;
    }
}

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
        using VariationalAutoencoder model = ModelOptions.Load(options);
        int side = ModelOptions.RequireImages(model, "vae sample");
        var images = new float[n * model.InputSize];
        model.Sample(n, (ulong)options.Long("seed", 0), images);
        (int width, int height) = ModelOptions.WriteGrid(options.RequiredString("out"), images, n, side, (int)Math.Ceiling(Math.Sqrt(n)));
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({n} samples, {width}x{height})");
        return 0;
    }
}

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
        using VariationalAutoencoder model = ModelOptions.Load(options);
        if (model.LatentSize != 2) throw new UsageException($"the manifold is drawn for a 2-D latent space; this model has {model.LatentSize} dimensions (train with --latent 2).");
        int side = ModelOptions.RequireImages(model, "vae manifold");
        float[] z = NormalQuantile.ManifoldLatents(grid);
        var images = new float[grid * grid * model.InputSize];
        model.Decode(z, images);
        ModelOptions.WriteGrid(options.RequiredString("out"), images, grid * grid, side, grid, padding: 0);
        stdout.WriteLine($"wrote {options.RequiredString("out")} ({grid}x{grid} manifold)");
        return 0;
    }
}

/// <summary><c>vae encode</c>: the posterior means (and log variances) of a data set, as CSV or NPY.</summary>
internal sealed class EncodeCommand : ICommand
{
    public string Name => "encode";
    public string Summary => "Encode a data set: write the mean and log variance of q(z|x) per example to CSV or NPY.";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [ModelOptions.Model, new("data", "mnist|fashion-mnist|PATH", "Data to encode (for mnist: the test set).", "mnist"), new("out", "FILE.csv|FILE.npy", "Output file.", "z.csv")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string output = options.RequiredString("out");
        string extension = Path.GetExtension(output).ToLowerInvariant();
        if (extension is not (".csv" or ".npy")) throw new UsageException($"--out must end in .csv or .npy; got '{output}'.");
        using VariationalAutoencoder model = ModelOptions.Load(options);
        (_, Dataset data) = DataSources.Load(options.RequiredString("data"), stderr);
        ModelOptions.CheckData(model, data);
        int latent = model.LatentSize, columns = 2 * latent;
        var result = new float[data.Count * columns];
        const int Batch = 500;
        var x = new float[Batch * model.InputSize];
        var mean = new float[Batch * latent];
        var logVariance = new float[Batch * latent];
        var indices = new int[Batch];
        for (int start = 0; start < data.Count; start += Batch)
        {
            int rows = Math.Min(Batch, data.Count - start);
            for (int i = 0; i < rows; i++) indices[i] = start + i;
            data.CopyBatch(indices.AsSpan(0, rows), x.AsSpan(0, rows * model.InputSize));
            model.Encode(x.AsSpan(0, rows * model.InputSize), mean.AsSpan(0, rows * latent), logVariance.AsSpan(0, rows * latent));
            for (int i = 0; i < rows; i++)
            {
                mean.AsSpan(i * latent, latent).CopyTo(result.AsSpan((start + i) * columns));
                logVariance.AsSpan(i * latent, latent).CopyTo(result.AsSpan((start + i) * columns + latent));
            }
        }
        if (extension == ".npy") NpyFile.Write(output, result, data.Count, columns);
        else CsvFile.Write(output, result, data.Count, columns,
            [.. Enumerable.Range(0, latent).Select(d => $"mean{d}"), .. Enumerable.Range(0, latent).Select(d => $"logvar{d}")]);
        stdout.WriteLine($"wrote {output} ({data.Count} rows: {latent} means, then {latent} log variances)");
        return 0;
    }
}
