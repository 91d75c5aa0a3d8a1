using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Vae.Simd.Tests.Pictures;

/// <summary>A small, strict PNG decoder for tests: checks the signature and every chunk's CRC, inflates IDAT, undoes all five filters (8-bit greyscale only).</summary>
internal static class PngDecoder
{
    public static (byte[] Pixels, int Width, int Height) Decode(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.Equal(signature, png[..8]);
        int at = 8, width = 0, height = 0;
        var idat = new MemoryStream();
        var order = new List<string>();
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            order.Add(type);
            ReadOnlySpan<byte> data = png.AsSpan(at + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(BitwiseCrc32.Compute(png.AsSpan(at + 4, 4 + length)), crc);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                Assert.Equal(0, data[9]);
            }
            if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        Assert.Equal("IHDR", order[0]);
        Assert.Equal("IEND", order[^1]);
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        byte[] scanlines = raw.ToArray();
        Assert.Equal(height * (width + 1), scanlines.Length);
        var pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = scanlines[y * (width + 1)];
            for (int x = 0; x < width; x++)
            {
                int a = x > 0 ? pixels[y * width + x - 1] : 0, b = y > 0 ? pixels[(y - 1) * width + x] : 0, c = x > 0 && y > 0 ? pixels[(y - 1) * width + x - 1] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                };
                pixels[y * width + x] = (byte)(scanlines[y * (width + 1) + 1 + x] + predictor);
            }
        }
        return (pixels, width, height);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

/// <summary>An independent bitwise CRC-32 (no table), to check the writer's table-driven one.</summary>
internal static class BitwiseCrc32
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
