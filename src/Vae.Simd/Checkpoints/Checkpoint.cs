using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Vae.Simd.Checkpoints;

/// <summary>
/// A checkpoint read from disk and validated: magic, format version, the section table against the
/// file's length, every size against a limit, and the CRC-32C of all bytes. Sections are fetched by
/// name with typed getters that say clearly when a section is missing or of another type.
/// Written by <see cref="CheckpointWriter"/>.
/// </summary>
public sealed class Checkpoint
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, (SectionType Type, object Value)> _sections;
    private readonly string[] _order;

    private Checkpoint(string source, Dictionary<string, (SectionType, object)> sections, string[] order)
    {
        Source = source;
        _sections = sections;
        _order = order;
    }

    /// <summary>Where the checkpoint was read from; every error message starts with it.</summary>
    public string Source { get; }

    /// <summary>The section names, in file order.</summary>
    public IReadOnlyList<string> SectionNames => _order;

    /// <summary>Whether a section of that name exists.</summary>
    public bool Contains(string name) => _sections.ContainsKey(name);

    /// <summary>A text section.</summary>
    /// <exception cref="InvalidDataException">The section is missing or is not text.</exception>
    public string Text(string name) => Get<string>(name, SectionType.Text);

    /// <summary>A float32 array section (the array read from the file; the checkpoint keeps no other use of it).</summary>
    /// <exception cref="InvalidDataException">The section is missing or is not a float32 array.</exception>
    public float[] Floats(string name) => Get<float[]>(name, SectionType.Float32);

    /// <summary>An int64 array section.</summary>
    /// <exception cref="InvalidDataException">The section is missing or is not an int64 array.</exception>
    public long[] Int64s(string name) => Get<long[]>(name, SectionType.Int64);

    /// <summary>Reads and validates the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a checkpoint, is truncated or altered, or was written by a newer version; the message names the file and the fault.
    /// </exception>
    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such checkpoint.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads and validates a checkpoint held in memory; <paramref name="source"/> names it in messages.</summary>
    internal static Checkpoint Parse(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Read(stream, source);
    }

    /// <summary>
    /// Reads a checkpoint from a seekable stream positioned at its start. Nothing is allocated beyond
    /// what the stream's actual length can hold, so a lying header cannot cause a huge allocation.
    /// </summary>
    internal static Checkpoint Read(Stream stream, string source)
    {
        var input = new ChecksummedInput(stream, source);
        long actualBytes = stream.Length - stream.Position;

        Span<byte> header = stackalloc byte[CheckpointFormat.HeaderBytes];
        int got = input.ReadUpTo(header);
        ReadOnlySpan<byte> magic = CheckpointFormat.Magic;
        if (got == 0)
            throw Invalid(source, "truncated: the file is empty");
        if (!header[..Math.Min(got, magic.Length)].SequenceEqual(magic[..Math.Min(got, magic.Length)]))
            throw Invalid(source, "not a Vae.Simd checkpoint (bad magic)");
        if (got < CheckpointFormat.HeaderBytes)
            throw Invalid(source, $"truncated: {actualBytes} bytes is shorter than the {CheckpointFormat.HeaderBytes}-byte header");

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version > CheckpointFormat.Version)
            throw Invalid(source, $"written by a newer version of Vae.Simd (checkpoint format {version}; this build reads format {CheckpointFormat.Version}); upgrade Vae.Simd to load it");
        if (version != CheckpointFormat.Version)
            throw Invalid(source, $"checkpoint format {version} is not readable by this build (it reads format {CheckpointFormat.Version})");

        long expectedBytes = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (expectedBytes < CheckpointFormat.HeaderBytes + CheckpointFormat.TrailerBytes || expectedBytes > CheckpointFormat.MaxFileBytes)
            throw Invalid(source, $"the header's file length {expectedBytes} is impossible (the format allows {CheckpointFormat.HeaderBytes + CheckpointFormat.TrailerBytes} to {CheckpointFormat.MaxFileBytes} bytes)");
        if (actualBytes < expectedBytes)
            throw Invalid(source, $"truncated: expected {expectedBytes} bytes, found {actualBytes}");
        if (actualBytes > expectedBytes)
            throw Invalid(source, $"{actualBytes - expectedBytes} unexpected bytes after the end: expected {expectedBytes} bytes, found {actualBytes}");
        input.Limit = expectedBytes - CheckpointFormat.TrailerBytes;

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        long smallestTable = count * (long)CheckpointFormat.EntryBytes(1);
        if (count > CheckpointFormat.MaxSections || CheckpointFormat.HeaderBytes + smallestTable > input.Limit)
            throw Invalid(source, $"the header claims {count} sections, more than the {CheckpointFormat.MaxSections} allowed or than {expectedBytes} bytes can hold");

        var table = new (string Name, SectionType Type, long Offset, long Count)[count];
        var sections = new Dictionary<string, (SectionType, object)>((int)count, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        Span<byte> entry = stackalloc byte[CheckpointFormat.EntryBytes(CheckpointFormat.MaxNameBytes)];
        for (int s = 0; s < count; s++)
        {
            input.ReadExactly(entry[..1], $"the section table (entry {s})");
            int nameBytes = entry[0];
            if (nameBytes < 1 || nameBytes > CheckpointFormat.MaxNameBytes)
                throw Invalid(source, $"section table entry {s} has a name of {nameBytes} bytes (1 to {CheckpointFormat.MaxNameBytes} allowed)");
            Span<byte> rest = entry.Slice(1, CheckpointFormat.EntryBytes(nameBytes) - 1);
            input.ReadExactly(rest, $"the section table (entry {s})");
            string name = Encoding.ASCII.GetString(rest[..nameBytes]);
            if (!CheckpointFormat.IsValidName(name))
                throw Invalid(source, $"section table entry {s} has an invalid name");
            if (!names.Add(name))
                throw Invalid(source, $"section '{name}' appears twice");
            var type = (SectionType)rest[nameBytes];
            if (CheckpointFormat.ElementBytes(type) == 0)
                throw Invalid(source, $"section '{name}' has unknown type {(byte)type}");
            table[s] = (name, type, BinaryPrimitives.ReadInt64LittleEndian(rest[(nameBytes + 1)..]), BinaryPrimitives.ReadInt64LittleEndian(rest[(nameBytes + 9)..]));
        }

        // The canonical layout: each payload at the next multiple of 8, the checksum right after the last.
        long expectedOffset = CheckpointFormat.AlignTo8(input.Position);
        var payloadBytes = new long[count];
        for (int s = 0; s < count; s++)
        {
            (string name, SectionType type, long offset, long elements) = table[s];
            if (offset != expectedOffset)
                throw Invalid(source, $"section '{name}' claims offset {offset}, but its data must start at {expectedOffset}");
            int size = CheckpointFormat.ElementBytes(type);
            if (elements < 0 || elements > (input.Limit - offset) / size)
                throw Invalid(source, $"section '{name}' claims {elements} elements of {size} bytes at offset {offset}, past the end of the {expectedBytes}-byte file");
            payloadBytes[s] = elements * size;
            expectedOffset = CheckpointFormat.AlignTo8(offset + payloadBytes[s]);
        }
        if (expectedOffset != input.Limit)
            throw Invalid(source, $"the section table accounts for {expectedOffset + CheckpointFormat.TrailerBytes} bytes but the header says {expectedBytes}");

        Span<byte> padding = stackalloc byte[8];
        input.ReadPadding(padding, (int)(CheckpointFormat.AlignTo8(input.Position) - input.Position));
        for (int s = 0; s < count; s++)
        {
            (string name, SectionType type, _, long elements) = table[s];
            object value = type switch
            {
                SectionType.Text => ReadText(input, (int)elements, name),
                SectionType.Float32 => ReadFloats(input, (int)elements, name),
                _ => ReadInt64s(input, (int)elements, name),
            };
            sections.Add(name, (type, value));
            input.ReadPadding(padding, (int)(CheckpointFormat.AlignTo8(payloadBytes[s]) - payloadBytes[s]));
        }

        uint computed = input.Crc;
        Span<byte> trailer = stackalloc byte[CheckpointFormat.TrailerBytes];
        input.Limit = expectedBytes;
        input.ReadExactly(trailer, "the checksum");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (stored != computed)
            throw Invalid(source, $"checksum mismatch (stored {stored:X8}, computed {computed:X8}): the file is damaged or was altered");
        return new Checkpoint(source, sections, Array.ConvertAll(table, t => t.Name));
    }

    private static string ReadText(ChecksummedInput input, int length, string name)
    {
        byte[] bytes = new byte[length];
        input.ReadExactly(bytes, $"section '{name}'");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(input.Source, $"section '{name}' is not valid UTF-8 text");
        }
    }

    private static float[] ReadFloats(ChecksummedInput input, int count, string name)
    {
        var values = new float[count];
        input.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), $"section '{name}'");
        if (!BitConverter.IsLittleEndian) {
            Span<int> bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        return values;
    }

    private static long[] ReadInt64s(ChecksummedInput input, int count, string name)
    {
        var values = new long[count];
        input.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), $"section '{name}'");
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(values, values);
        return values;
    }

    private T Get<T>(string name, SectionType expected) where T : class
    {
        if (!_sections.TryGetValue(name, out var section))
            throw Invalid(Source, $"the section '{name}' is missing (it has: {string.Join(", ", _order)})");
        if (section.Type != expected)
            throw Invalid(Source, $"the section '{name}' is a {CheckpointFormat.Describe(section.Type)}, not a {CheckpointFormat.Describe(expected)}");
        return (T)section.Value;
    }

    private static InvalidDataException Invalid(string source, string problem) => new($"{source}: {problem}.");

    /// <summary>Reads the stream in order, folding every byte into the CRC and never past <see cref="Limit"/>.</summary>
    private sealed class ChecksummedInput(Stream stream, string source)
    {
        public string Source { get; } = source;
        public long Position { get; private set; }
        public long Limit { get; set; } = CheckpointFormat.HeaderBytes;
        public uint Crc { get; private set; }

        public int ReadUpTo(Span<byte> buffer)
        {
            int got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            Crc = Crc32C.Append(Crc, buffer[..got]);
            Position += got;
            return got;
        }

        public void ReadExactly(Span<byte> buffer, string what)
        {
            if (buffer.Length > Limit - Position)
                throw Invalid(Source, $"{what} runs past the end of the data ({Position} + {buffer.Length} > {Limit} bytes)");
            if (ReadUpTo(buffer) < buffer.Length)
                throw Invalid(Source, $"truncated while reading {what}");
        }

        public void ReadPadding(Span<byte> scratch, int length)
        {
            ReadExactly(scratch[..length], "padding");
            if (scratch[..length].ContainsAnyExcept((byte)0)) throw Invalid(Source, $"non-zero padding before offset {Position}");
        }
    }
}
