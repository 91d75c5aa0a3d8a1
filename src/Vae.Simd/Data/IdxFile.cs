using System.Buffers.Binary;

namespace Vae.Simd.Data;

/// <summary>
/// An IDX file (the format of MNIST, Fashion-MNIST and KMNIST): a 4-byte magic (0, 0, type, rank),
/// rank big-endian 32-bit dimensions, then the values. Only unsigned bytes (type 0x08) are read, which
/// is what those data sets use.
/// </summary>
public sealed class IdxFile
{
    /// <summary>Largest file accepted: a little over Fashion-MNIST's 47 MB training images, with room to spare.</summary>
    public const long MaxBytes = 1L << 30;

    private IdxFile(int[] dimensions, ArraySegment<byte> data)
    {
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The dimensions (e.g. 60000, 28, 28).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The values, row-major (a view of the file's bytes when parsed with <see cref="Parse"/>).</summary>
    public ArraySegment<byte> Data { get; }

    /// <summary>
    /// Validates a whole IDX file held in memory and returns a view of its values, without copying them
    /// (a 47 MB image file is not held twice).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names <paramref name="name"/> and the problem.</exception>
    public static IdxFile Parse(byte[] bytes, string name)
    {
        var header = new MemoryStream(bytes, 0, Math.Min(bytes.Length, 4 + 4 * 4), writable: false);
        (int[] dimensions, long total) = ReadHeader(header, name);
        int offset = 4 + 4 * dimensions.Length;
        if (bytes.Length != offset + total)
            throw new InvalidDataException($"{name}: the header describes {offset + total} bytes ([{string.Join('x', dimensions)}]) but the file has {bytes.Length}.");
        return new IdxFile(dimensions, new ArraySegment<byte>(bytes, offset, (int)total));
    }

    /// <summary>
    /// Reads an IDX file from <paramref name="stream"/>. The header is checked against
    /// <paramref name="length"/> (the decompressed size, when known) before the data is allocated.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names <paramref name="name"/> and the problem.</exception>
    public static IdxFile Read(Stream stream, string name, long? length = null)
    {
        (int[] dimensions, long total) = ReadHeader(stream, name);
        long expectedLength = 4 + 4L * dimensions.Length + total;
        if (length is long actual && actual != expectedLength)
            throw new InvalidDataException($"{name}: the header describes {expectedLength} bytes ([{string.Join('x', dimensions)}]) but the file has {actual}.");
        var data = new byte[total];
        ReadExactly(stream, data, name, $"{total} data bytes");
        if (length is null && stream.ReadByte() != -1)
            throw new InvalidDataException($"{name}: the file continues after the {total} data bytes its header describes.");
        return new IdxFile(dimensions, data);
    }

    private static (int[] Dimensions, long Total) ReadHeader(Stream stream, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, name, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"{name}: not an IDX file (magic {Convert.ToHexString(magic)} does not start with 0000).");
        if (magic[2] != 0x08)
            throw new InvalidDataException($"{name}: IDX element type 0x{magic[2]:X2} is not supported (only 0x08, unsigned bytes).");
        int rank = magic[3];
        if (rank is < 1 or > 4)
            throw new InvalidDataException($"{name}: IDX rank {rank} is not 1 to 4.");
        Span<byte> header = stackalloc byte[16];
        ReadExactly(stream, header[..(4 * rank)], name, $"{rank} dimensions");
        var dimensions = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 * i, 4));
            if (d == 0 || d > int.MaxValue)
                throw new InvalidDataException($"{name}: IDX dimension {i} is {d}.");
            dimensions[i] = (int)d;
            total *= d;
            if (total > MaxBytes)
                throw new InvalidDataException($"{name}: IDX dimensions [{string.Join('x', dimensions.Take(i + 1))}...] describe more than {MaxBytes} bytes.");
        }
        return (dimensions, total);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer[read..]);
            if (n == 0)
                throw new InvalidDataException($"{name}: truncated: expected {what} but the file ended after {read} of {buffer.Length} bytes.");
            read += n;
        }
    }
}
