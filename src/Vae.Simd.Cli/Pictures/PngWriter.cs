using Vae.Simd.Files;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Vae.Simd.Cli.Pictures;

/// <summary>The pixel formats <see cref="PngWriter"/> writes (the value is the PNG colour type).</summary>
internal enum PngColor : byte
{
    /// <summary>One byte per pixel.</summary>
    Grey = 0,
    /// <summary>Three bytes per pixel: red, green, blue.</summary>
    Rgb = 2,
}

/// <summary>The five PNG row filters (the value is the filter byte written before each row).</summary>
internal enum PngFilter : byte { None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4 }

/// <summary>
/// Writes 8-bit greyscale or RGB PNG files with the BCL only: signature, IHDR, one zlib-compressed IDAT,
/// IEND, each chunk with its CRC-32. Each row gets the filter with the smallest sum of absolute
/// filtered values (the heuristic the PNG specification recommends), which shrinks smooth pictures
/// such as manifolds several-fold. Files are written atomically.
/// </summary>
internal static class PngWriter
{
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes a width × height image (row-major, <see cref="PngColor"/> bytes per pixel).</summary>
    /// <param name="pixels">The pixels, row by row.</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="color">Grey (1 byte per pixel) or RGB (3 bytes).</param>
    /// <param name="filter">A filter for every row (for tests); null chooses per row.</param>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, PngColor color = PngColor.Grey, PngFilter? filter = null)
    {
        int channels = color switch
        {
            PngColor.Grey => 1,
            PngColor.Rgb => 3,
            _ => throw new ArgumentException($"PNG: unsupported colour {color}.", nameof(color)),
        };
        if (width < 1 || height < 1 || (long)width * height * channels != pixels.Length)
            throw new ArgumentException($"PNG: {pixels.Length} bytes are not a {width}x{height} {color} image ({channels} byte(s) per pixel).");
        int stride = checked(width * channels);

        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;            // bits per channel
        header[9] = (byte)color;
        header[10] = 0;           // compression: deflate
        header[11] = 0;           // filter method: the five adaptive filters
        header[12] = 0;           // no interlace
        WriteChunk(output, "IHDR"u8, header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var candidate = new byte[1 + stride];
            var best = new byte[1 + stride];
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = pixels.Slice(y * stride, stride);
                ReadOnlySpan<byte> above = y > 0 ? pixels.Slice((y - 1) * stride, stride) : default;
                if (filter is PngFilter forced)
                {
                    Filter(forced, row, above, channels, best);
                }
                else
                {
                    long bestCost = long.MaxValue;
                    for (var f = PngFilter.None; f <= PngFilter.Paeth; f++)
                    {
                        long cost = Filter(f, row, above, channels, candidate);
                        if (cost < bestCost) (bestCost, best, candidate) = (cost, candidate, best);
                    }
                }
                zlib.Write(best);
            }
        }
        WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    /// <summary>Writes the image to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> pixels, int width, int height, PngColor color = PngColor.Grey) =>
        AtomicWrite.ToFile(path, Encode(pixels, width, height, color));

    /// <summary>Filters one row into <paramref name="output"/> (filter byte first) and returns the sum of |filtered byte as signed|.</summary>
    private static long Filter(PngFilter filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int channels, Span<byte> output)
    {
        output[0] = (byte)filter;
        long cost = 0;
        for (int x = 0; x < row.Length; x++)
        {
            int a = x >= channels ? row[x - channels] : 0;
            int b = above.IsEmpty ? 0 : above[x];
            int c = x >= channels && !above.IsEmpty ? above[x - channels] : 0;
            int predictor = filter switch
            {
                PngFilter.None => 0,
                PngFilter.Sub => a,
                PngFilter.Up => b,
                PngFilter.Average => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            byte value = (byte)(row[x] - predictor);
            output[1 + x] = value;
            int signed = (sbyte)value;
            cost += signed < 0 ? -signed : signed;
        }
        return cost;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, PngCrc32.Append(PngCrc32.Compute(type), data));
        output.Write(buffer);
    }
}
