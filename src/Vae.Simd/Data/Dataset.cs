using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Vae.Simd.Randomness;

namespace Vae.Simd.Data;

/// <summary>
/// Examples as rows of <see cref="Features"/> values in a fixed order. Implementations keep data in its
/// compact form (bytes for images) and convert only the rows a minibatch asks for.
/// </summary>
public abstract class Dataset
{
    /// <summary>Number of examples.</summary>
    public abstract int Count { get; }

    /// <summary>Values per example.</summary>
    public abstract int Features { get; }

    /// <summary>Image width when the examples are images, else 0.</summary>
    public virtual int Width => 0;

    /// <summary>Image height when the examples are images, else 0.</summary>
    public virtual int Height => 0;

    /// <summary>A label per example when the data set has them.</summary>
    public virtual ReadOnlyMemory<byte> Labels => ReadOnlyMemory<byte>.Empty;

    /// <summary>Where the data came from, for messages.</summary>
    public abstract string Source { get; }

    /// <summary>
    /// Writes the rows <paramref name="indices"/> to <paramref name="destination"/> ([indices.Length × Features]),
    /// binarised as asked (<paramref name="epoch"/> selects the draw of dynamic binarisation). Allocates nothing.
    /// </summary>
    public void CopyBatch(ReadOnlySpan<int> indices, Span<float> destination, Binarization binarization = default, long epoch = 0)
    {
        if (destination.Length != indices.Length * Features)
            throw new ArgumentException($"CopyBatch: {indices.Length} rows of {Features} need {indices.Length * Features} values; destination has {destination.Length}.");
        for (int r = 0; r < indices.Length; r++)
        {
            int index = indices[r];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Example {index} is outside {Source} ({Count} examples).");
            Span<float> row = destination.Slice(r * Features, Features);
            CopyRow(index, row);
            Binarize(row, binarization, epoch, index);
        }
    }

    /// <summary>Writes example <paramref name="index"/> as floats.</summary>
    protected abstract void CopyRow(int index, Span<float> destination);

    private static void Binarize(Span<float> row, Binarization b, long epoch, int index)
    {
        switch (b.Mode)
        {
            case BinarizationMode.Threshold:
                for (int i = 0; i < row.Length; i++) row[i] = row[i] > b.Threshold ? 1f : 0f;
                break;
            case BinarizationMode.Dynamic:
                var random = CounterRandom.For(b.Seed, RandomPurpose.Binarization, (ulong)epoch, (ulong)index);
                for (int i = 0; i < row.Length; i++) row[i] = random.NextFloat() < row[i] ? 1f : 0f;
                break;
        }
    }
}

/// <summary>Images of bytes (0–255) scaled to [0, 1] per batch: 60,000 MNIST images stay 47 MB, not 188 MB of floats.</summary>
public sealed class ImageDataset : Dataset
{
    private readonly ArraySegment<byte> _pixels;
    private readonly byte[] _labels;

    /// <summary>Images of <paramref name="height"/> × <paramref name="width"/> bytes stored one after another (the segment is used in place, not copied).</summary>
    public ImageDataset(ArraySegment<byte> pixels, int count, int height, int width, byte[]? labels, string source)
    {
        if (count < 1 || height < 1 || width < 1 || (long)count * height * width != pixels.Count)
            throw new ArgumentException($"ImageDataset: {pixels.Count} bytes are not {count} images of {height}x{width}.");
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"ImageDataset: {labels.Length} labels for {count} images.");
        _pixels = pixels;
        _labels = labels ?? [];
        Count = count;
        Height = height;
        Width = width;
        Source = source;
    }

    /// <inheritdoc/>
    public override int Count { get; }
    /// <inheritdoc/>
    public override int Features => Width * Height;
    /// <inheritdoc/>
    public override int Width { get; }
    /// <inheritdoc/>
    public override int Height { get; }
    /// <inheritdoc/>
    public override ReadOnlyMemory<byte> Labels => _labels;
    /// <inheritdoc/>
    public override string Source { get; }

    /// <summary>The raw bytes of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Pixels(int index) => _pixels.AsSpan(index * Features, Features);

    /// <summary>The first <paramref name="count"/> examples, sharing no storage with this one.</summary>
    public ImageDataset Take(int count)
    {
        count = Math.Clamp(count, 1, Count);
        return new ImageDataset(_pixels.AsSpan(0, count * Features).ToArray(), count, Height, Width,
            _labels.Length == 0 ? null : _labels.AsSpan(0, count).ToArray(), $"{Source} (first {count})");
    }

    /// <inheritdoc/>
    protected override void CopyRow(int index, Span<float> destination) =>
        ScaleBytes(_pixels.AsSpan(index * Features, Features), destination);

    /// <summary>destination[i] = source[i] / 255, widening 16 bytes at a time.</summary>
    internal static void ScaleBytes(ReadOnlySpan<byte> source, Span<float> destination)
    {
        ref byte src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> scale = Vector128.Create(1f / 255f);
            for (; i <= source.Length - 16; i += 16)
            {
                (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(Vector128.LoadUnsafe(ref src, (nuint)i));
                (Vector128<uint> a, Vector128<uint> b) = Vector128.Widen(low);
                (Vector128<uint> c, Vector128<uint> d) = Vector128.Widen(high);
                (Vector128.ConvertToSingle(a.AsInt32()) * scale).StoreUnsafe(ref dst, (nuint)i);
                (Vector128.ConvertToSingle(b.AsInt32()) * scale).StoreUnsafe(ref dst, (nuint)(i + 4));
                (Vector128.ConvertToSingle(c.AsInt32()) * scale).StoreUnsafe(ref dst, (nuint)(i + 8));
                (Vector128.ConvertToSingle(d.AsInt32()) * scale).StoreUnsafe(ref dst, (nuint)(i + 12));
            }
        }
        for (; i < source.Length; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i) * (1f / 255f);
    }
}

/// <summary>Rows of floats, e.g. from CSV or NPY files; every value is checked finite at construction.</summary>
public sealed class DenseDataset : Dataset
{
    private readonly float[] _values;

    /// <summary>A data set of <paramref name="count"/> rows of <paramref name="features"/> values.</summary>
    /// <exception cref="InvalidDataException">A value is NaN or infinite (the message names its row and column).</exception>
    public DenseDataset(float[] values, int count, int features, string source)
    {
        if (count < 1 || features < 1 || (long)count * features != values.Length)
            throw new ArgumentException($"DenseDataset: {values.Length} values are not {count} rows of {features}.");
        int bad = NpyFile.IndexOfNonFinite(values);
        if (bad >= 0)
            throw new InvalidDataException($"{source}: row {bad / features + 1}, column {bad % features + 1} is {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}; data must be finite.");
        _values = values;
        Count = count;
        Features = features;
        Source = source;
    }

    /// <inheritdoc/>
    public override int Count { get; }
    /// <inheritdoc/>
    public override int Features { get; }
    /// <inheritdoc/>
    public override string Source { get; }

    /// <inheritdoc/>
    protected override void CopyRow(int index, Span<float> destination) => _values.AsSpan(index * Features, Features).CopyTo(destination);
}
