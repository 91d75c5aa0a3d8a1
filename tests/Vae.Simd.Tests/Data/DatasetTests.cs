using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

/// <summary>The batch copy the trainer relies on: values, binarisation and its determinism, misuse.</summary>
public class DatasetTests
{
    private static ImageDataset Images(int count, int height = 3, int width = 5, int seed = 1)
    {
        var pixels = new byte[count * height * width];
        new Random(seed).NextBytes(pixels);
        return new ImageDataset(pixels, count, height, width, [.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))], "images");
    }

    [Fact]
    public void ImageBatchesAreBytesOver255InTheOrderAsked()
    {
        ImageDataset data = Images(7);
        int[] rows = [6, 0, 6, 3];
        var batch = new float[rows.Length * 15];
        data.CopyBatch(rows, batch);
        for (int r = 0; r < rows.Length; r++)
        for (int p = 0; p < 15; p++)
            Assert.Equal(data.Pixels(rows[r])[p] / 255f, batch[r * 15 + p], 1e-7f);
    }

    [Fact]
    public void DenseBatchesAreTheValuesThemselves()
    {
        float[] values = [1.5f, -2f, 3f, 4f, -5.25f, 6f];
        var data = new DenseDataset(values, 3, 2, "dense");
        var batch = new float[4];
        data.CopyBatch([2, 0], batch);
        Assert.Equal(new[] { -5.25f, 6f, 1.5f, -2f }, batch);
        Assert.Equal(0, data.Width);
        Assert.True(data.Labels.IsEmpty);
    }

    [Fact]
    public void ThresholdGivesOnesExactlyAboveIt()
    {
        ImageDataset data = Images(4);
        int[] rows = [0, 1, 2, 3];
        float[] plain = new float[60], cut = new float[60];
        data.CopyBatch(rows, plain);
        data.CopyBatch(rows, cut, new Binarization(BinarizationMode.Threshold, 0.3f));
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i] > 0.3f ? 1f : 0f, cut[i]);
    }

    /// <summary>
    /// An example's dynamic draw depends on (seed, epoch, example) only: not on the batch it is in, its
    /// position there, or what was drawn before. This is what makes training independent of the thread count.
    /// </summary>
    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property DynamicDrawsDependOnSeedEpochAndExampleOnly() =>
        Prop.ForAll(Gen.Choose(0, 1000).ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), Gen.Choose(1, 12).ToArbitrary(), (seed, epoch, batchSize) =>
        {
            ImageDataset data = Images(20, seed: seed);
            var dynamic = new Binarization(BinarizationMode.Dynamic, Seed: (ulong)seed);
            var random = new Random(seed);
            int[] batch = [.. Enumerable.Range(0, batchSize).Select(_ => random.Next(20))];
            var together = new float[batchSize * 15];
            data.CopyBatch(batch, together, dynamic, epoch);
            var alone = new float[15];
            for (int r = 0; r < batchSize; r++)
            {
                data.CopyBatch([batch[r]], alone, dynamic, epoch);
                if (!alone.AsSpan().SequenceEqual(together.AsSpan(r * 15, 15))) return false;
            }
            return together.All(v => v is 0f or 1f);
        });

    [Fact]
    public void DynamicDrawsChangeWithEpochAndSeedAndKeepCertainPixels()
    {
        var pixels = new byte[200 * 10];
        new Random(5).NextBytes(pixels);
        for (int i = 0; i < pixels.Length; i += 7) pixels[i] = 0;
        for (int i = 3; i < pixels.Length; i += 7) pixels[i] = 255;
        var data = new ImageDataset(pixels, 200, 2, 5, null, "images");
        int[] all = Enumerable.Range(0, 200).ToArray();
        float[] Draw(ulong seed, long epoch)
        {
            var batch = new float[2000];
            data.CopyBatch(all, batch, new Binarization(BinarizationMode.Dynamic, Seed: seed), epoch);
            return batch;
        }
        float[] a = Draw(1, 0);
        Assert.Equal(a, Draw(1, 0));
        Assert.NotEqual(a, Draw(1, 1));
        Assert.NotEqual(a, Draw(2, 0));
        for (int i = 0; i < pixels.Length; i++)
        {
            if (pixels[i] == 0) Assert.Equal(0f, a[i]);
            if (pixels[i] == 255) Assert.Equal(1f, a[i]);
        }
    }

    [Fact]
    public void MisuseIsAnArgumentExceptionSayingWhatWasExpected()
    {
        ImageDataset data = Images(3);
        Assert.Contains("need 30 values; destination has 29", Assert.Throws<ArgumentException>(() => data.CopyBatch([0, 1], new float[29])).Message);
        Assert.Contains("Example 3 is outside images (3 examples)", Assert.Throws<ArgumentOutOfRangeException>(() => data.CopyBatch([3], new float[15])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.CopyBatch([-1], new float[15]));
        Assert.Throws<ArgumentException>(() => new ImageDataset(new byte[10], 1, 3, 3, null, "x"));
        Assert.Throws<ArgumentException>(() => new ImageDataset(new byte[9], 1, 3, 3, [1, 2], "x"));
        Assert.Throws<ArgumentException>(() => new DenseDataset(new float[5], 2, 3, "x"));
    }

    [Fact]
    public void DenseDataMustBeFinite()
    {
        Assert.Equal("nan.csv: row 2, column 1 is NaN; data must be finite.",
            Assert.Throws<InvalidDataException>(() => new DenseDataset([1f, 2f, float.NaN, 4f], 2, 2, "nan.csv")).Message);
        Assert.Contains("row 1, column 2 is Infinity",
            Assert.Throws<InvalidDataException>(() => new DenseDataset([1f, float.PositiveInfinity], 1, 2, "inf.csv")).Message);
    }

    [Fact]
    public void TakeCopiesTheFirstExamplesAndTheirLabels()
    {
        ImageDataset data = Images(9);
        ImageDataset first = data.Take(4);
        Assert.Equal(4, first.Count);
        Assert.Equal(data.Labels[..4].ToArray(), first.Labels.ToArray());
        Assert.Equal(data.Pixels(3).ToArray(), first.Pixels(3).ToArray());
    }
}
