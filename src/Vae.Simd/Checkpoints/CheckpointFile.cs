using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Vae.Simd.Checkpoints;

/// <summary>
/// The checkpoint container: magic <c>VAESIMD\0</c>, format version, named typed sections
/// (text, float32 arrays, int64 arrays), all little-endian, and a CRC-32 of every preceding byte.
/// Files are written atomically (temporary file, flush to disk, rename), so a crash leaves the previous
/// file intact; reading checks magic, version, checksum and every length before trusting anything.
/// </summary>
public sealed class CheckpointFile
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint FormatVersion = 1;

    /// <summary>Largest checkpoint read (a model with ~500 million parameters).</summary>
    public const long MaxBytes = 2L << 30;

    private static ReadOnlySpan<byte> Magic => "VAESIMD\0"u8;

    private enum SectionType : byte { Text = 1, Float32 = 2, Int64 = 3 }

    private readonly Dictionary<string, object> _sections = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Where it was read from (for messages).</summary>
    public string Source { get; private set; } = "checkpoint";

    /// <summary>The section names, in file order.</summary>
    public IReadOnlyList<string> Sections => _order;

    /// <summary>Adds a text section.</summary>
    public void Add(string name, string text) => Put(name, text);

    /// <summary>Adds a float32 array section.</summary>
    public void Add(string name, ReadOnlySpan<float> values) => Put(name, values.ToArray());

    /// <summary>Adds an int64 array section.</summary>
    public void Add(string name, ReadOnlySpan<long> values) => Put(name, values.ToArray());

    /// <summary>Whether a section exists.</summary>
    public bool Has(string name) => _sections.ContainsKey(name);

    /// <summary>A text section.</summary>
    /// <exception cref="InvalidDataException">It is missing or of another type.</exception>
    public string Text(string name) => Get<string>(name, "text");

    /// <summary>A float32 section.</summary>
    /// <exception cref="InvalidDataException">It is missing or of another type.</exception>
    public float[] Floats(string name) => Get<float[]>(name, "float32 array");

    /// <summary>An int64 section.</summary>
    /// <exception cref="InvalidDataException">It is missing or of another type.</exception>
    public long[] Int64s(string name) => Get<long[]>(name, "int64 array");

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                uint crc = 0;
                void Write(ReadOnlySpan<byte> bytes) { stream.Write(bytes); crc = Crc32.Append(crc, bytes); }
                Span<byte> scratch = stackalloc byte[16];
                Write(Magic);
                BinaryPrimitives.WriteUInt32LittleEndian(scratch, FormatVersion);
                BinaryPrimitives.WriteUInt32LittleEndian(scratch[4..], (uint)_order.Count);
                Write(scratch[..8]);
                foreach (string name in _order)
                {
                    byte[] nameBytes = Encoding.UTF8.GetBytes(name);
                    BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)nameBytes.Length);
                    Write(scratch[..2]);
                    Write(nameBytes);
                    object value = _sections[name];
                    (SectionType type, long count) = Describe(value);
                    scratch[0] = (byte)type;
                    BinaryPrimitives.WriteInt64LittleEndian(scratch[1..], count);
                    Write(scratch[..9]);
                    Write(value switch
                    {
                        string text => Encoding.UTF8.GetBytes(text),
                        float[] floats => MemoryMarshal.AsBytes(floats.AsSpan()),
                        _ => MemoryMarshal.AsBytes(((long[])value).AsSpan()),
                    });
                }
                BinaryPrimitives.WriteUInt32LittleEndian(scratch, crc);
                stream.Write(scratch[..4]);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads and validates a checkpoint.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated or altered, or was written by a newer version.</exception>
    public static CheckpointFile Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such checkpoint.", path);
        if (info.Length > MaxBytes) throw new InvalidDataException($"{path}: {info.Length} bytes is larger than any checkpoint ({MaxBytes}).");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Validates and parses checkpoint bytes.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Load"/>.</exception>
    public static CheckpointFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        const int HeaderBytes = 16, TrailerBytes = 4;
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException($"{source}: not a Vae.Simd checkpoint (bad magic).");
        if (bytes.Length < HeaderBytes + TrailerBytes)
            throw new InvalidDataException($"{source}: truncated: {bytes.Length} bytes is shorter than a checkpoint header.");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (version > FormatVersion)
            throw new InvalidDataException($"{source}: written by a newer version of Vae.Simd (format {version}; this one reads up to {FormatVersion}).");
        if (version == 0) throw new InvalidDataException($"{source}: format version 0 is invalid.");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[^TrailerBytes..]);
        uint actual = Crc32.Compute(bytes[..^TrailerBytes]);
        if (stored != actual)
            throw new InvalidDataException($"{source}: checksum mismatch (stored {stored:X8}, computed {actual:X8}): the file is truncated or altered.");

        var file = new CheckpointFile { Source = source };
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        ReadOnlySpan<byte> body = bytes[HeaderBytes..^TrailerBytes];
        int at = 0;
        for (uint s = 0; s < count; s++)
        {
            if (body.Length - at < 2) throw Truncated(source, s);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
            at += 2;
            if (body.Length - at < nameLength + 9) throw Truncated(source, s);
            string name = Encoding.UTF8.GetString(body.Slice(at, nameLength));
            at += nameLength;
            var type = (SectionType)body[at];
            long elements = BinaryPrimitives.ReadInt64LittleEndian(body[(at + 1)..]);
            at += 9;
            int size = type switch { SectionType.Text => 1, SectionType.Float32 => 4, SectionType.Int64 => 8, _ => 0 };
            if (size == 0) throw new InvalidDataException($"{source}: section '{name}' has unknown type {(byte)type}.");
            if (elements < 0 || elements > (body.Length - at) / size)
                throw new InvalidDataException($"{source}: section '{name}' claims {elements} elements but only {body.Length - at} bytes remain.");
            ReadOnlySpan<byte> payload = body.Slice(at, (int)elements * size);
            at += payload.Length;
            object value = type switch
            {
                SectionType.Text => Encoding.UTF8.GetString(payload),
                SectionType.Float32 => ReadArray<float>(payload),
                _ => ReadArray<long>(payload),
            };
            if (!file._sections.TryAdd(name, value)) throw new InvalidDataException($"{source}: section '{name}' appears twice.");
            file._order.Add(name);
        }
        if (at != body.Length) throw new InvalidDataException($"{source}: {body.Length - at} unexpected bytes after the last section.");
        return file;
    }

    private static T[] ReadArray<T>(ReadOnlySpan<byte> payload) where T : unmanaged
    {
        var values = MemoryMarshal.Cast<byte, T>(payload).ToArray();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Checkpoints are little-endian; big-endian machines are not supported.");
        return values;
    }

    private static (SectionType, long) Describe(object value) => value switch
    {
        string text => (SectionType.Text, Encoding.UTF8.GetByteCount(text)),
        float[] floats => (SectionType.Float32, floats.Length),
        long[] longs => (SectionType.Int64, longs.Length),
        _ => throw new InvalidOperationException($"Unsupported section value {value.GetType()}."),
    };

    private static InvalidDataException Truncated(string source, uint section) =>
        new($"{source}: truncated inside section {section}.");

    private void Put(string name, object value)
    {
        if (string.IsNullOrEmpty(name) || Encoding.UTF8.GetByteCount(name) > ushort.MaxValue)
            throw new ArgumentException($"A section name must have 1 to {ushort.MaxValue} bytes; got '{name}'.", nameof(name));
        if (!_sections.TryAdd(name, value)) throw new ArgumentException($"Section '{name}' already exists.", nameof(name));
        _order.Add(name);
    }

    private T Get<T>(string name, string kind) where T : class =>
        !_sections.TryGetValue(name, out object? value) ? throw new InvalidDataException($"{Source}: the section '{name}' is missing.")
        : value as T ?? throw new InvalidDataException($"{Source}: the section '{name}' is not a {kind}.");
}
