using Vae.Simd.Files;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Vae.Simd.Checkpoints;

/// <summary>
/// Collects named sections (text, float32 arrays, int64 arrays) and writes them as one checkpoint file:
/// versioned, little-endian, with a CRC-32C over every byte, replaced atomically so a crash during
/// <see cref="Save"/> leaves any previous file intact. Read it back with <see cref="Checkpoint.Read(string)"/>.
/// </summary>
/// <example>
/// <code>
/// new CheckpointWriter()
///     .AddText("config", "latent=20")
///     .AddFloats("parameters", weights)
///     .AddInt64s("trainer", [epoch, step])
///     .Save("model.vae");
/// </code>
/// </example>
public sealed class CheckpointWriter
{
    private readonly List<(string Name, SectionType Type, long Count, byte[] Payload)> _sections = [];

    /// <summary>Adds a UTF-8 text section (e.g. <c>key=value</c> lines).</summary>
    /// <exception cref="ArgumentException">The name is invalid or already used.</exception>
    public CheckpointWriter AddText(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] payload = Encoding.UTF8.GetBytes(text);
        return Add(name, SectionType.Text, payload.Length, payload);
    }

    /// <summary>Adds a float32 array section; the values are copied now.</summary>
    /// <exception cref="ArgumentException">The name is invalid or already used.</exception>
    public CheckpointWriter AddFloats(string name, ReadOnlySpan<float> values)
    {
        byte[] payload = new byte[checked(values.Length * sizeof(float))];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(payload);
        else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(payload.AsSpan(4 * i), values[i]);
        return Add(name, SectionType.Float32, values.Length, payload);
    }

    /// <summary>Adds an int64 array section (counters such as epoch, step, seed); the values are copied now.</summary>
    /// <exception cref="ArgumentException">The name is invalid or already used.</exception>
    public CheckpointWriter AddInt64s(string name, ReadOnlySpan<long> values)
    {
        byte[] payload = new byte[checked(values.Length * sizeof(long))];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(payload);
        else for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8 * i), values[i]);
        return Add(name, SectionType.Int64, values.Length, payload);
    }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (temporary file, flush to disk, rename).</summary>
    /// <exception cref="IOException">The file could not be written; an existing file at <paramref name="path"/> is unchanged.</exception>
    public void Save(string path) => AtomicWrite.ToFile(path, WriteTo);

    /// <summary>The file's bytes, for tests and in-memory use.</summary>
    internal byte[] ToBytes()
    {
        using var memory = new MemoryStream();
        WriteTo(memory);
        return memory.ToArray();
    }

    /// <summary>Writes the whole checkpoint to <paramref name="stream"/>, checksumming as it goes.</summary>
    internal void WriteTo(Stream stream)
    {
        long tableBytes = _sections.Sum(s => (long)CheckpointFormat.EntryBytes(s.Name.Length));
        long payloadStart = CheckpointFormat.AlignTo8(CheckpointFormat.HeaderBytes + tableBytes);
        long fileBytes = payloadStart + _sections.Sum(s => CheckpointFormat.AlignTo8(s.Payload.Length)) + CheckpointFormat.TrailerBytes;
        if (fileBytes > CheckpointFormat.MaxFileBytes)
            throw new InvalidOperationException($"CheckpointWriter: {fileBytes} bytes exceed the format's limit of {CheckpointFormat.MaxFileBytes}.");

        uint crc = 0;
        void Write(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            crc = Crc32C.Append(crc, bytes);
        }

        Span<byte> scratch = stackalloc byte[CheckpointFormat.HeaderBytes];
        CheckpointFormat.Magic.CopyTo(scratch);
        BinaryPrimitives.WriteUInt32LittleEndian(scratch[8..], CheckpointFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(scratch[12..], (uint)_sections.Count);
        BinaryPrimitives.WriteInt64LittleEndian(scratch[16..], fileBytes);
        Write(scratch);

        long offset = payloadStart;
        Span<byte> entryBuffer = stackalloc byte[CheckpointFormat.EntryBytes(CheckpointFormat.MaxNameBytes)];
        foreach (var (name, type, count, payload) in _sections)
        {
            Span<byte> entry = entryBuffer[..CheckpointFormat.EntryBytes(name.Length)];
            entry[0] = (byte)name.Length;
            Encoding.ASCII.GetBytes(name, entry[1..]);
            int at = 1 + name.Length;
            entry[at] = (byte)type;
            BinaryPrimitives.WriteInt64LittleEndian(entry[(at + 1)..], offset);
            BinaryPrimitives.WriteInt64LittleEndian(entry[(at + 9)..], count);
            Write(entry);
            offset += CheckpointFormat.AlignTo8(payload.Length);
        }

        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        Write(zeros[..(int)(payloadStart - CheckpointFormat.HeaderBytes - tableBytes)]);
        foreach (var section in _sections)
        {
            Write(section.Payload);
            Write(zeros[..(int)(CheckpointFormat.AlignTo8(section.Payload.Length) - section.Payload.Length)]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(scratch, crc);
        stream.Write(scratch[..CheckpointFormat.TrailerBytes]);
    }

    private CheckpointWriter Add(string name, SectionType type, long count, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!CheckpointFormat.IsValidName(name))
            throw new ArgumentException($"CheckpointWriter: section name '{name}' must be 1 to {CheckpointFormat.MaxNameBytes} characters of A-Z a-z 0-9 . _ -", nameof(name));
        if (_sections.Exists(s => s.Name == name))
            throw new ArgumentException($"CheckpointWriter: section '{name}' was already added.", nameof(name));
        if (_sections.Count == CheckpointFormat.MaxSections)
            throw new InvalidOperationException($"CheckpointWriter: a checkpoint holds at most {CheckpointFormat.MaxSections} sections.");
        _sections.Add((name, type, count, payload));
        return this;
    }
}
