using System.IO.Compression;
using System.Security.Cryptography;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

/// <summary>
/// Data sets installed by an operating-system package (Debian's dataset-fashion-mnist in
/// /usr/share/datasets/fashion-mnist): found before the mirrors, verified by content when the package
/// re-compressed the published gzip files, and named in the error when nothing works. Fake folders
/// stand in for the package so the tests do not depend on it being installed.
/// </summary>
public class SystemPackageFolderTests
{
    /// <summary>A gzip file of the same bytes with another header (no name, another time), as Debian's packaging leaves it.</summary>
    private static byte[] Recompressed(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.SmallestSize)) gzip.Write(raw);
        return memory.ToArray();
    }

    /// <summary>
    /// A data set published as gzip files (their MD5s) with known SHA-256s of the content, whose package
    /// folder holds differently compressed copies — the situation of Fashion-MNIST on Debian.
    /// </summary>
    private static (IdxDataFiles Files, string PackageFolder, Dictionary<string, byte[]> Raw) PackagedSet(string packageFolder)
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        var published = raw.ToDictionary(kv => kv.Key, kv => TestArchives.Gzip(kv.Value));
        foreach ((string name, byte[] bytes) in raw) TestArchives.Write(packageFolder, name + ".gz", Recompressed(bytes));
        var files = new IdxDataFiles("packaged", "a", "b", "c", "d",
            raw.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(SHA256.HashData(kv.Value))),
            published.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value))),
            Mirrors: [], LocalFolders: ["/nonexistent/vae-simd-" + Guid.NewGuid().ToString("N"), packageFolder], SystemPackage: "dataset-packaged");
        return (files, packageFolder, raw);
    }

    [Fact]
    public async Task ThePackageFolderIsUsedBeforeTheMirrorsAndItsRecompressedFilesAreVerifiedByContent()
    {
        (IdxDataFiles files, string package, Dictionary<string, byte[]> raw) = PackagedSet(TestData.TempFolder());
        Assert.NotEqual(files.GzipMd5!["a"], Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(Path.Combine(package, "a.gz")))));
        var fetcher = new IdxDataFetcher(TestData.TempFolder(), useNpm: false);
        string folder = await fetcher.EnsureAsync(files);
        DataSplit loaded = IdxDataLoader.Load(folder, files);
        Assert.Equal(raw["a"][^4..], loaded.Train.Pixels(1).ToArray());
        // The cached copy passes its check on the next run without going back to the package.
        Directory.Delete(package, recursive: true);
        Assert.Equal(folder, await fetcher.EnsureAsync(files));
    }

    [Fact]
    public async Task APackageFolderWithOtherContentIsRefusedAndTheErrorNamesThePackage()
    {
        (IdxDataFiles files, string package, _) = PackagedSet(TestData.TempFolder());
        TestArchives.Write(package, "c.gz", Recompressed(IdxFileTests.Idx(1, 2, 3)));
        string cache = TestData.TempFolder();
        var e = await Assert.ThrowsAsync<IOException>(() => new IdxDataFetcher(cache, useNpm: false).EnsureAsync(files));
        Assert.Contains("apt-get install dataset-packaged", e.Message);
        Assert.Contains(Path.Combine(package, "c.gz") + ": SHA-256", e.Message);
        Assert.Contains("no such folder", e.Message);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache, "packaged")));
    }

    [Fact]
    public void FashionMnistIsLookedForWhereDebiansPackageInstallsIt()
    {
        IdxDataFiles fashion = IdxDataFiles.FashionMnist;
        Assert.Equal(["/usr/share/datasets/fashion-mnist"], fashion.LocalFolders!);
        Assert.Equal("dataset-fashion-mnist", fashion.SystemPackage);
        // Content hashes for every file, so a re-compressed copy can be verified.
        Assert.Equal(fashion.All.Order(), fashion.Sha256.Keys.Order());
    }

    [Fact]
    public void AGzipFileFailingItsPublishedMd5WithoutAKnownContentHashIsStillRefused()
    {
        string folder = TestData.TempFolder();
        (IdxDataFiles files, _, _) = PackagedSet(folder);
        var md5Only = files with { Sha256 = new Dictionary<string, string>() };
        Assert.Contains("MD5", Assert.Throws<InvalidDataException>(() => IdxDataLoader.Load(folder, md5Only)).Message);
    }
}
