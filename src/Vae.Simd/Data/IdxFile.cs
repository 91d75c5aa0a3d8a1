using System.Buffers.Binary;

namespace Vae.Simd.Data;

/// <summary>
/// An IDX file (the format of MNIST, Fashion-MNIST and KMNIST): a 4-byte magic (0, 0, type, rank),
/// rank big-endian 32-bit dimensions, then the values. Only unsigned bytes (type 0x08) are read, which
/// is what those data sets use.
/// </summary>
public sealed class IdxFile
{
    /// <summary>Largest file accepted: room for EMNIST's 550 MB training images; MNIST's are 47 MB.</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>
    /// Deflate cannot expand data more than 1032-fold (a 258-byte match per two bits), so a compressed
    /// input of n bytes holds at most this many: the bound that lets a lying header in a tiny .gz or .tgz
    /// be refused before anything is allocated.
    /// </summary>
    internal static long MaxDecompressedLength(long compressedLength) => Math.Min(MaxBytes + 64, 1032 * compressedLength + 1024);

    private const int LargestHeader = 4 + 4 * 4;

    private IdxFile(int[] dimensions, ArraySegment<byte> data)
    {
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The dimensions (e.g. 60000, 28, 28).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The values, row-major: a view of the file's bytes, which are not copied.</summary>
    public ArraySegment<byte> Data { get; }

    /// <summary>
    /// Validates a whole IDX file held in memory and returns a view of its values, without copying them
    /// (a 47 MB image file is not held twice).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names <paramref name="name"/> and the problem.</exception>
    public static IdxFile Parse(byte[] bytes, string name)
    {
        (int[] dimensions, long total) = ParseHeader(bytes.AsSpan(0, Math.Min(bytes.Length, LargestHeader)), name);
        int offset = 4 + 4 * dimensions.Length;
        if (bytes.Length != offset + total)
            throw new InvalidDataException($"{name}: the header describes {offset + total} bytes ({Shape(dimensions)}) but the file has {bytes.Length}.");
        return new IdxFile(dimensions, new ArraySegment<byte>(bytes, offset, (int)total));
    }

    /// <summary>
    /// Reads an IDX file from <paramref name="stream"/>. The header is checked against
    /// <paramref name="length"/> (or, for a seekable stream, the bytes left in it) before the data is
    /// allocated; a stream of unknown length gets an array that grows only as data arrives.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names <paramref name="name"/> and the problem.</exception>
    public static IdxFile Read(Stream stream, string name, long? length = null)
    {
        long? bound = length ?? (stream.CanSeek ? stream.Length - stream.Position : null);
        return Parse(ReadRaw(stream, name, length, bound), name);
    }

    /// <summary>
    /// Reads a whole IDX file (header included, so its hash can be checked and <see cref="Parse"/> can view
    /// it in place). The header is validated first; the size it describes must equal
    /// <paramref name="exactLength"/> when that is known and must not exceed <paramref name="upperBound"/>,
    /// and only then is one array of exactly that size allocated. Without any bound the array grows as
    /// bytes arrive, so a lying header costs nothing.
    /// </summary>
    internal static byte[] ReadRaw(Stream stream, string name, long? exactLength, long? upperBound)
    {
        Span<byte> header = stackalloc byte[LargestHeader];
        ReadExactly(stream, header[..4], name, "the 4-byte magic number");
        int rank = header[3];
        CheckMagic(header, name);
        int headerLength = 4 + 4 * rank;
        ReadExactly(stream, header[4..headerLength], name, $"{rank} dimensions of 4 bytes");
        (int[] dimensions, long total) = ParseHeader(header[..headerLength], name);
        long described = headerLength + total;
        if (exactLength is long actual && actual != described)
            throw new InvalidDataException($"{name}: the header describes {described} bytes ({Shape(dimensions)}) but the file has {actual}.");
        if (upperBound is long bound && described > bound)
            throw new InvalidDataException($"{name}: the header describes {described} bytes ({Shape(dimensions)}), more than the input can hold ({bound}); the file is truncated or its header is wrong.");

        byte[] bytes = new byte[upperBound is null ? Math.Min(described, 1 << 20) : described];
        header[..headerLength].CopyTo(bytes);
        int filled = headerLength;
        while (filled < described)
        {
            if (filled == bytes.Length) Array.Resize(ref bytes, (int)Math.Min(described, 2L * bytes.Length));
            int n = stream.Read(bytes, filled, bytes.Length - filled);
            if (n == 0)
                throw new InvalidDataException($"{name}: truncated: the header describes {described} bytes ({Shape(dimensions)}) but the file ended after {filled}.");
            filled += n;
        }
        if (exactLength is null && stream.ReadByte() != -1)
            throw new InvalidDataException($"{name}: the file continues after the {described} bytes its header describes ({Shape(dimensions)}).");
        return bytes;
    }

    private static void CheckMagic(ReadOnlySpan<byte> magic, string name)
    {
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"{name}: not an IDX file (magic {Convert.ToHexString(magic[..4])} does not start with 0000).");
        if (magic[2] != 0x08)
        {
            string type = magic[2] switch
            {
                0x09 => "signed bytes", 0x0B => "16-bit integers", 0x0C => "32-bit integers", 0x0D => "float32", 0x0E => "float64",
                _ => "not an IDX type",
            };
            throw new InvalidDataException($"{name}: IDX element type 0x{magic[2]:X2} ({type}) is not supported (only 0x08, unsigned bytes, as in MNIST).");
        }
        if (magic[3] is < 1 or > 4)
            throw new InvalidDataException($"{name}: IDX rank {magic[3]} is not 1 to 4.");
    }

    /// <summary>Validates a header (magic and dimensions) and returns the dimensions and the data size they describe.</summary>
    private static (int[] Dimensions, long Total) ParseHeader(ReadOnlySpan<byte> header, string name)
    {
        if (header.Length < 4)
            throw new InvalidDataException($"{name}: truncated: expected the 4-byte magic number but the file has {header.Length} bytes.");
        CheckMagic(header, name);
        int rank = header[3];
        if (header.Length < 4 + 4 * rank)
            throw new InvalidDataException($"{name}: truncated: expected {rank} dimensions of 4 bytes but the file ended after {header.Length - 4} of {4 * rank} bytes.");
        var dimensions = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 + 4 * i, 4));
            if (d == 0 || d > int.MaxValue)
                throw new InvalidDataException($"{name}: IDX dimension {i} is {d}.");
            dimensions[i] = (int)d;
            total *= d; // cannot overflow: total <= MaxBytes (2^30) and d < 2^31 before the check below
            if (total > MaxBytes)
                throw new InvalidDataException($"{name}: IDX dimensions [{string.Join('x', dimensions.Take(i + 1))}...] describe more than {MaxBytes} bytes.");
        }
        return (dimensions, total);
    }

    private static string Shape(int[] dimensions) => "[" + string.Join('x', dimensions) + "]";

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
