using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Vae.Simd.Interop.Safetensors;

/// <summary>One tensor of a safetensors file: its dtype, shape and byte range in the data section.</summary>
internal sealed record SafetensorsTensor(string Name, SafetensorsDtype Dtype, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>e.g. <c>[400, 784]</c>.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// The safetensors container (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
/// JSON <c>{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}</c>,
/// then the data, each tensor's little-endian bytes at its offsets. Files are hostile until proven
/// otherwise: the header is checked against the file's length before anything is allocated, every
/// tensor's range must lie in the data, match its shape and dtype, and not overlap another, the ranges
/// must cover the data with no gap (as the format requires), and every failure is an
/// <see cref="InvalidDataException"/> naming the file and the tensor.
/// </summary>
internal sealed class SafetensorsFile
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const int MaxHeaderLength = 100_000_000;
    private const string MetadataKey = "__metadata__";

    private readonly ReadOnlyMemory<byte> _data;

    private SafetensorsFile(string source, Dictionary<string, string> metadata, List<SafetensorsTensor> tensors, ReadOnlyMemory<byte> data)
    {
        Source = source;
        Metadata = metadata;
        Tensors = tensors;
        _data = data;
    }

    /// <summary>The file name used in error messages.</summary>
    public string Source { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>Reads and validates a file (its length bounds every allocation).</summary>
    public static SafetensorsFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file.", path);
        if (info.Length > Array.MaxLength) throw new InvalidDataException($"{path}: {info.Length} bytes is larger than supported ({Array.MaxLength}).");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates the bytes of a file.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names it, the tensor and the problem.</exception>
    public static SafetensorsFile Parse(ReadOnlyMemory<byte> file, string source)
    {
        ReadOnlySpan<byte> bytes = file.Span;
        if (bytes.Length < 8) throw new InvalidDataException($"{source}: {bytes.Length} bytes is too short for a safetensors file (an 8-byte header length comes first).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"{source}: the header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes.");
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{source}: the header length {headerLength} reaches beyond the file's {bytes.Length} bytes.");
        int dataStart = 8 + (int)headerLength;
        ReadOnlyMemory<byte> data = file[dataStart..];

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafetensorsTensor>();
        try
        {
            ParseHeader(bytes[8..dataStart], source, data.Length, metadata, tensors);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // the reader reports invalid UTF-8 in a string as the latter
        {
            throw new InvalidDataException($"{source}: the header is not valid UTF-8 JSON ({e.Message})", e);
        }
        CheckRanges(tensors, data.Length, source);
        return new SafetensorsFile(source, metadata, tensors, data);
    }

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public SafetensorsTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>A tensor's values as floats.</summary>
    public float[] Floats(SafetensorsTensor tensor)
    {
        var values = new float[tensor.Count];
        SafetensorsDtypes.ToFloats(tensor.Dtype, _data.Span[(int)tensor.Begin..(int)tensor.End], values);
        return values;
    }

    /// <summary>Writes F32 tensors (sorted by name, as PyTorch's <c>save_file</c> lays out tensors of one dtype) and metadata to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<(string Name, long[] Shape, float[] Values)> tensors)
    {
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach ((string key, string value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach ((string name, long[] shape, float[] values) in ordered)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (long d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += (long)values.Length * sizeof(float));
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // The data starts 8-byte aligned: the header is padded with spaces, as the reference writer does.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        destination.Write(length);
        destination.Write(header.GetBuffer(), 0, (int)header.Length);
        foreach ((_, _, float[] values) in ordered) destination.Write(LittleEndian.Floats(values));
    }

    private static void ParseHeader(ReadOnlySpan<byte> header, string source, long dataLength, Dictionary<string, string> metadata, List<SafetensorsTensor> tensors)
    {
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        Expect(ref reader, JsonTokenType.StartObject, source, "the header must be a JSON object");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader, source) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (!seen.Add(name)) throw new InvalidDataException($"{source}: tensor '{name}' appears twice in the header.");
            if (name == MetadataKey) ParseMetadata(ref reader, source, metadata);
            else tensors.Add(ParseTensor(ref reader, source, name, dataLength));
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new InvalidDataException($"{source}: the header must be a JSON object of tensors.");
        if (reader.Read()) throw new InvalidDataException($"{source}: the header has content after its JSON object.");
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, string source, Dictionary<string, string> metadata)
    {
        Expect(ref reader, JsonTokenType.StartObject, source, "__metadata__ must be an object of strings");
        while (Next(ref reader, source) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            Expect(ref reader, JsonTokenType.String, source, $"__metadata__ entry '{key}' must be a string");
            if (!metadata.TryAdd(key, reader.GetString()!)) throw new InvalidDataException($"{source}: __metadata__ entry '{key}' appears twice.");
        }
    }

    private static SafetensorsTensor ParseTensor(ref Utf8JsonReader reader, string source, string name, long dataLength)
    {
        string where = $"{source}: tensor '{name}'";
        Expect(ref reader, JsonTokenType.StartObject, source, $"tensor '{name}' must be an object with dtype, shape and data_offsets");
        string? dtypeName = null;
        List<long>? shape = null, offsets = null;
        while (Next(ref reader, source) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            switch (key)
            {
                case "dtype" when dtypeName is null:
                    Expect(ref reader, JsonTokenType.String, source, $"tensor '{name}': dtype must be a string");
                    dtypeName = reader.GetString()!;
                    break;
                case "shape" when shape is null:
                    shape = Integers(ref reader, source, where, "shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = Integers(ref reader, source, where, "data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new InvalidDataException($"{where}: '{key}' appears twice.");
                default:
                    reader.Skip(); // other keys are not ours to judge
                    break;
            }
        }
        if (dtypeName is null || shape is null || offsets is null)
            throw new InvalidDataException($"{where}: needs dtype, shape and data_offsets.");
        if (!SafetensorsDtypes.TryParse(dtypeName, out SafetensorsDtype dtype))
            throw new InvalidDataException($"{where}: dtype '{dtypeName}' is not supported ({SafetensorsDtypes.Supported}).");
        if (offsets.Count != 2) throw new InvalidDataException($"{where}: data_offsets must be [begin, end]; got {offsets.Count} numbers.");
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength)
            throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] are outside the {dataLength} data bytes.");
        var tensor = new SafetensorsTensor(name, dtype, [.. shape], begin, end);
        long bytes = 1;
        foreach (long d in shape)
            if (d != 0 && bytes != 0 && bytes > long.MaxValue / d)
                throw new InvalidDataException($"{where}: shape {tensor.ShapeText} has more elements than any file can hold.");
            else bytes *= d;
        bytes = bytes > long.MaxValue / 8 ? long.MaxValue : bytes * SafetensorsDtypes.Size(dtype);
        if (bytes != end - begin)
            throw new InvalidDataException($"{where}: shape {tensor.ShapeText} of {dtypeName} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}.");
        return tensor;
    }

    /// <summary>An array of non-negative integers.</summary>
    private static List<long> Integers(ref Utf8JsonReader reader, string source, string where, string what)
    {
        if (Next(ref reader, source) != JsonTokenType.StartArray) throw new InvalidDataException($"{where}: {what} must be an array of whole numbers.");
        var values = new List<long>();
        while (Next(ref reader, source) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
                throw new InvalidDataException($"{where}: {what} must hold non-negative whole numbers.");
            values.Add(value);
        }
        return values;
    }

    /// <summary>Sorted by begin, each tensor must start where the previous ended, and the last end at the data's end.</summary>
    private static void CheckRanges(List<SafetensorsTensor> tensors, long dataLength, string source)
    {
        var ordered = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long covered = 0;
        SafetensorsTensor? previous = null;
        foreach (SafetensorsTensor t in ordered)
        {
            if (t.Begin < covered)
                throw new InvalidDataException($"{source}: tensor '{t.Name}' (bytes {t.Begin}..{t.End}) overlaps tensor '{previous!.Name}' (bytes {previous.Begin}..{previous.End}).");
            if (t.Begin > covered)
                throw new InvalidDataException($"{source}: data bytes {covered}..{t.Begin} before tensor '{t.Name}' belong to no tensor.");
            covered = t.End;
            previous = t;
        }
        if (covered != dataLength)
            throw new InvalidDataException($"{source}: data bytes {covered}..{dataLength} at the end belong to no tensor.");
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string source)
    {
        if (!reader.Read()) throw new InvalidDataException($"{source}: the header's JSON ends early.");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string source, string message)
    {
        if (!reader.Read()) throw new InvalidDataException($"{source}: the header's JSON ends early.");
        if (reader.TokenType != token) throw new InvalidDataException($"{source}: {message}.");
    }
}
