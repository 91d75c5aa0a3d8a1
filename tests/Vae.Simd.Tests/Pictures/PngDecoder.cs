using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Vae.Simd.Tests.Pictures;

/// <summary>
/// A small, strict PNG decoder for tests, written from the specification independently of the writer:
/// checks the signature, every chunk's bounds and CRC (bitwise, no table), the chunk order, inflates the
/// IDAT stream and undoes all five filters, for 8-bit greyscale and RGB. Any fault is an InvalidDataException.
/// </summary>
internal static class PngDecoder
{
    /// <summary>Decodes a greyscale PNG.</summary>
    public static (byte[] Pixels, int Width, int Height) Decode(byte[] png)
    {
        (byte[] pixels, int width, int height, int channels) = DecodeAny(png);
        return channels == 1 ? (pixels, width, height) : throw new InvalidDataException($"expected greyscale, found {channels} channels");
    }

    /// <summary>Decodes a greyscale or RGB PNG.</summary>
    public static (byte[] Pixels, int Width, int Height, int Channels) DecodeAny(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(signature)) throw new InvalidDataException("bad PNG signature");
        int at = 8, width = 0, height = 0, channels = 0;
        var idat = new MemoryStream();
        var order = new List<string>();
        while (at < png.Length)
        {
            if (png.Length - at < 12) throw new InvalidDataException($"chunk header truncated at {at}");
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (length < 0 || length > png.Length - at - 12) throw new InvalidDataException($"chunk at {at} claims {length} bytes");
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            if (BitwiseCrc32.Compute(png.AsSpan(at + 4, 4 + length)) != crc) throw new InvalidDataException($"{type} CRC mismatch");
            ReadOnlySpan<byte> data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                if (order.Count != 0 || length != 13) throw new InvalidDataException("IHDR must come first with 13 bytes");
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = data[9] switch { 0 => 1, 2 => 3, _ => throw new InvalidDataException($"colour type {data[9]}") };
                if (width < 1 || height < 1 || data[8] != 8 || data[10] != 0 || data[11] != 0 || data[12] != 0)
                    throw new InvalidDataException("unsupported IHDR");
            }
            else if (type == "IDAT")
            {
                if (order.Count == 0 || (order[^1] != "IHDR" && order[^1] != "IDAT")) throw new InvalidDataException("IDAT chunks must follow IHDR consecutively");
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                if (length != 0 || at + 12 != png.Length) throw new InvalidDataException("IEND must be empty and last");
            }
            else if (char.IsUpper(type[0])) throw new InvalidDataException($"unknown critical chunk {type}");
            order.Add(type);
            at += 12 + length;
        }
        if (order.Count == 0 || order[0] != "IHDR" || order[^1] != "IEND" || !order.Contains("IDAT")) throw new InvalidDataException("missing IHDR, IDAT or IEND");

        idat.Position = 0;
        var raw = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(raw);
        byte[] scanlines = raw.ToArray();
        int stride = width * channels;
        if (scanlines.Length != height * (stride + 1)) throw new InvalidDataException($"{scanlines.Length} bytes of scanlines for {width}x{height}");
        var pixels = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = scanlines[y * (stride + 1)];
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, 4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter} on row {y}"),
                };
                pixels[y * stride + x] = (byte)(scanlines[y * (stride + 1) + 1 + x] + predictor);
            }
        }
        return (pixels, width, height, channels);
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
