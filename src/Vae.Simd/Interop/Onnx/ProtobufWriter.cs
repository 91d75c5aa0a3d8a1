using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Vae.Simd.Interop.Onnx;

/// <summary>
/// Writes protocol-buffer messages: the three wire types ONNX needs (varint, 32-bit, length-delimited).
/// A nested message is written into its own writer and then embedded, since its length comes first.
/// Repeated scalars are written unpacked (one tag each), which every protobuf reader accepts.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int Varint = 0, LengthDelimited = 2, Fixed32 = 5;
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>The message written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>An int32, int64, uint64 or enum field (negative values take ten bytes, as protobuf specifies).</summary>
    public ProtobufWriter Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>A float field.</summary>
    public ProtobufWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    /// <summary>A string field, UTF-8.</summary>
    public ProtobufWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>An embedded message field.</summary>
    public ProtobufWriter Message(int field, ProtobufWriter message) => Bytes(field, message.Written);

    private void Tag(int field, int wireType)
    {
        if (field < 1) throw new ArgumentOutOfRangeException(nameof(field), $"Protobuf field numbers start at 1; got {field}.");
        WriteVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void WriteVarint(ulong value)
    {
        Span<byte> bytes = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            bytes[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        bytes[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
