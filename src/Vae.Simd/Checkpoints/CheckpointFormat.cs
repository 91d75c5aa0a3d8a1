namespace Vae.Simd.Checkpoints;

/// <summary>
/// The checkpoint layout (version 2), every integer little-endian:
/// <code>
/// header   magic "VAESIMD\0" (8) · format version u32 · section count u32 · file length u64
/// table    per section: name length u8 · name (ASCII) · type u8 · payload offset u64 · element count u64
/// payloads in table order, each starting at a multiple of 8 (zero padding), so arrays stay aligned
/// trailer  CRC-32C u32 of every byte before it
/// </code>
/// The layout is canonical: offsets and the file length follow from the element counts, and the reader
/// insists on exactly that, so a lying table can only describe the bytes that are really there; the
/// checksum then catches what the structure cannot (e.g. a count changed within a section's padding).
/// </summary>
internal static class CheckpointFormat
{
    public const uint Version = 2;
    public const int HeaderBytes = 24;
    public const int TrailerBytes = 4;
    public const int MaxNameBytes = 64;
    public const int MaxSections = 4096;

    /// <summary>Largest file read: arrays are indexed by int, and 2 GiB holds a 500-million-parameter model.</summary>
    public const long MaxFileBytes = int.MaxValue;

    public static ReadOnlySpan<byte> Magic => "VAESIMD\0"u8;

    /// <summary>Bytes of a table entry with a name of <paramref name="nameBytes"/> bytes.</summary>
    public static int EntryBytes(int nameBytes) => 1 + nameBytes + 1 + 8 + 8;

    public static long AlignTo8(long offset) => (offset + 7) & ~7L;

    public static int ElementBytes(SectionType type) => type switch
    {
        SectionType.Text => 1,
        SectionType.Float32 => 4,
        SectionType.Int64 => 8,
        _ => 0,
    };

    public static string Describe(SectionType type) => type switch
    {
        SectionType.Text => "text",
        SectionType.Float32 => "float32 array",
        SectionType.Int64 => "int64 array",
        _ => $"type {(byte)type}",
    };

    /// <summary>Section names are 1 to 64 characters of <c>A-Z a-z 0-9 . _ -</c>: safe in messages and file listings.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameBytes) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }
}

/// <summary>What a section holds; the byte value is part of the file format.</summary>
internal enum SectionType : byte
{
    /// <summary>UTF-8 text, one byte per element.</summary>
    Text = 1,
    /// <summary>IEEE 754 single-precision numbers.</summary>
    Float32 = 2,
    /// <summary>Signed 64-bit integers.</summary>
    Int64 = 3,
}
