using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Vae.Simd.Checkpoints;

namespace Vae.Simd.Cli.Pictures;

/// <summary>
/// Writes 8-bit greyscale PNG files with the BCL only: IHDR, one zlib-compressed IDAT (filter type 0 on
/// every row), IEND, each chunk with its CRC-32. Files are written atomically.
/// </summary>
internal static class PngWriter
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes a width × height greyscale image (one byte per pixel, row-major).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height)
    {
        if (width < 1 || height < 1 || (long)width * height != pixels.Length)
            throw new ArgumentException($"PNG: {pixels.Length} pixels are not a {width}x{height} image.");
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bit depth
        header[9] = 0;  // colour type: greyscale
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(pixels.Slice(y * width, width));
            }
        }
        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Writes the image to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> pixels, int width, int height) =>
        AtomicFile.Write(path, Encode(pixels, width, height));

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32.Append(Crc32.Compute(typeBytes), data));
        output.Write(buffer);
    }
}
