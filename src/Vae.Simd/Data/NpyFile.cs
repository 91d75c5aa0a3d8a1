using Vae.Simd.Files;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Vae.Simd.Data;

/// <summary>
/// NumPy <c>.npy</c> files (format 1.0 and 2.0) of 1-D or 2-D C-ordered little-endian float32, float64 or
/// uint8 arrays. The header is validated against the file's length before the data is allocated, and
/// NaN or infinite values are refused with their row and column.
/// </summary>
public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file as rows of floats (a 1-D array is one column).</summary>
    /// <exception cref="InvalidDataException">The file is malformed, of an unsupported kind, or holds a NaN or infinity; the message names the file and why.</exception>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file.", path);
        if (info.Length > Array.MaxLength) throw new InvalidDataException($"{path}: {info.Length} bytes is larger than supported ({Array.MaxLength}).");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses .npy bytes.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>.</exception>
    public static (float[] Values, int Rows, int Columns) Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic)) throw new InvalidDataException($"{name}: not a .npy file (bad magic or shorter than 10 bytes).");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]); headerStart = 10; }
        else if (major is 2 or 3)
        {
            if (bytes.Length < 12) throw new InvalidDataException($"{name}: truncated .npy header.");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
            if (length > 1 << 20) throw new InvalidDataException($"{name}: .npy header length {length} is implausible.");
            headerLength = (int)length;
            headerStart = 12;
        }
        else throw new InvalidDataException($"{name}: .npy format version {major} is not supported (1, 2 or 3).");
        if (bytes.Length < headerStart + headerLength) throw new InvalidDataException($"{name}: truncated: the header needs {headerStart + headerLength} bytes, the file has {bytes.Length}.");
        string header = Encoding.Latin1.GetString(bytes.Slice(headerStart, headerLength));

        string descr = Field(DescrPattern(), header, "descr", name);
        if (Field(FortranPattern(), header, "fortran_order", name) != "False")
            throw new InvalidDataException($"{name}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray.");
        Match shape = ShapePattern().Match(header);
        if (!shape.Success) throw new InvalidDataException($"{name}: the header has no readable 'shape'.");
        string[] entries = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length is < 1 or > 2) throw new InvalidDataException($"{name}: a {entries.Length}-D array is not supported (1-D or 2-D).");
        // Each size fits an int and their product fits an array, or the header is refused: no overflow can make a lying shape look small.
        int[] dims = entries.Select(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
            : throw new InvalidDataException($"{name}: shape entry '{d}' is not a size below 2^31.")).ToArray();
        int size = descr switch
        {
            "<f4" => 4, "<f8" => 8, "|u1" or "<u1" => 1,
            ">f4" or ">f8" => throw new InvalidDataException($"{name}: big-endian data ({descr}) is not supported; save with arr.astype('<f4')."),
            _ => throw new InvalidDataException($"{name}: dtype '{descr}' is not supported (float32 '<f4', float64 '<f8' or uint8 '|u1')."),
        };
        long rows = dims[0], columns = dims.Length == 2 ? dims[1] : 1;
        string shapeText = $"({string.Join(", ", dims)})";
        if (rows < 1 || columns < 1) throw new InvalidDataException($"{name}: shape {shapeText} is empty.");
        long count = rows * columns, expected = count * size, available = bytes.Length - headerStart - headerLength;
        if (count > Array.MaxLength || expected != available)
            throw new InvalidDataException($"{name}: shape {shapeText} of {descr} needs {expected} data bytes but the file has {available}.");

        ReadOnlySpan<byte> data = bytes[(headerStart + headerLength)..];
        var values = new float[count];
        switch (size)
        {
            case 1:
                for (int i = 0; i < values.Length; i++) values[i] = data[i];
                break;
            case 4:
                if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(data).CopyTo(values);
                else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                break;
            default:
                for (int i = 0; i < values.Length; i++)
                {
                    double v = BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]);
                    if (double.IsFinite(v) && Math.Abs(v) > float.MaxValue)
                        throw new InvalidDataException($"{name}: row {i / columns + 1}, column {i % columns + 1}: {v.ToString(CultureInfo.InvariantCulture)} is outside the float32 range.");
                    values[i] = (float)v;
                }
                break;
        }
        int bad = IndexOfNonFinite(values);
        if (bad >= 0)
            throw new InvalidDataException($"{name}: row {bad / columns + 1}, column {bad % columns + 1} is {values[bad].ToString(CultureInfo.InvariantCulture)}; data must be finite.");
        return (values, (int)rows, (int)columns);
    }

    /// <summary>The index of the first NaN or infinity, or -1.</summary>
    internal static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Writes a 2-D float32 array as .npy (format 1.0) atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int rows, int columns)
    {
        if ((long)rows * columns != values.Length) throw new ArgumentException($"NpyFile: {values.Length} values are not {rows}x{columns}.");
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var bytes = new byte[10 + header.Length + 4 * values.Length];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, bytes.AsSpan(10));
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(10 + header.Length + 4 * i), values[i]);
        AtomicWrite.ToFile(path, bytes);
    }

    private static string Field(Regex pattern, string header, string field, string name)
    {
        Match m = pattern.Match(header);
        return m.Success ? m.Groups[1].Value : throw new InvalidDataException($"{name}: the header has no readable '{field}'.");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();
}
