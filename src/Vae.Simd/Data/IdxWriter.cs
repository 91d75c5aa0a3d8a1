using Vae.Simd.Files;
using System.Buffers.Binary;

namespace Vae.Simd.Data;

/// <summary>Writes IDX files of unsigned bytes (used to import a verified data set into the cache).</summary>
public static class IdxWriter
{
    /// <summary>The IDX bytes of an array with the given dimensions.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data, params int[] dimensions)
    {
        long total = dimensions.Aggregate(1L, (a, d) => a * d);
        if (dimensions.Length is < 1 or > 4 || total != data.Length)
            throw new ArgumentException($"IdxWriter: {data.Length} bytes do not fill dimensions [{string.Join('x', dimensions)}].");
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(bytes.AsSpan(4 + 4 * dimensions.Length));
        return bytes;
    }

    /// <summary>Writes the four MNIST files of <paramref name="split"/> to <paramref name="folder"/>, verified against the published hashes.</summary>
    public static void WriteMnist(string folder, DataSplit split)
    {
        MnistFiles files = MnistFiles.Mnist;
        void Write(string name, byte[] bytes)
        {
            MnistLoader.Verify(bytes, name, files);
            AtomicWrite.ToFile(Path.Combine(folder, name), bytes);
        }
        byte[] Pixels(ImageDataset d)
        {
            var all = new byte[d.Count * d.Features];
            for (int i = 0; i < d.Count; i++) d.Pixels(i).CopyTo(all.AsSpan(i * d.Features));
            return all;
        }
        Write(files.TrainImages, Encode(Pixels(split.Train), split.Train.Count, split.Train.Height, split.Train.Width));
        Write(files.TrainLabels, Encode(split.Train.Labels.Span, split.Train.Count));
        Write(files.TestImages, Encode(Pixels(split.Test), split.Test.Count, split.Test.Height, split.Test.Width));
        Write(files.TestLabels, Encode(split.Test.Labels.Span, split.Test.Count));
    }
}
