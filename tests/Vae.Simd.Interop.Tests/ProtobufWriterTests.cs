using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Interop.Onnx;

namespace Vae.Simd.Interop.Tests;

/// <summary>The protobuf writer against the encoding guide's worked examples and an independent decoder.</summary>
public class ProtobufWriterTests
{
    [Fact]
    public void MatchesTheEncodingGuidesExamples()
    {
        // protobuf.dev "Encoding": field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
        Assert.Equal([0x08, 0x96, 0x01], new ProtobufWriter().Int64(1, 150).Written.ToArray());
        Assert.Equal([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67], new ProtobufWriter().String(2, "testing").Written.ToArray());
        // field 3 = embedded { field 1 = 150 } is 1a 03 08 96 01.
        Assert.Equal([0x1a, 0x03, 0x08, 0x96, 0x01], new ProtobufWriter().Message(3, new ProtobufWriter().Int64(1, 150)).Written.ToArray());
        // A negative int64 takes ten bytes (two's complement as uint64).
        Assert.Equal(11, new ProtobufWriter().Int64(1, -1).Written.Length);
    }

    [Fact]
    public void FieldsDecodeBackToWhatWasWritten()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var writer = new ProtobufWriter();
            var expected = new List<(int Field, object Value)>();
            for (int i = random.Next(1, 12); i > 0; i--)
            {
                int field = random.Next(1, 3000);
                switch (random.Next(3))
                {
                    case 0: long v = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64); writer.Int64(field, v); expected.Add((field, v)); break;
                    case 1: float f = (float)(random.NextDouble() * 1e6 - 5e5); writer.Float(field, f); expected.Add((field, f)); break;
                    default: var b = new byte[random.Next(0, 300)]; random.NextBytes(b); writer.Bytes(field, b); expected.Add((field, b)); break;
                }
            }
            List<(int, object)> decoded = Decode(writer.Written.ToArray());
            Assert.Equal(expected.Count, decoded.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Field, decoded[i].Item1);
                if (expected[i].Value is byte[] bytes) Assert.Equal(bytes, (byte[])decoded[i].Item2);
                else Assert.Equal(expected[i].Value, decoded[i].Item2);
            }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    /// <summary>A minimal protobuf decoder, written from the wire-format description, independent of the writer.</summary>
    private static List<(int, object)> Decode(byte[] bytes)
    {
        var fields = new List<(int, object)>();
        int at = 0;
        ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = bytes[at++];
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
        }
        while (at < bytes.Length)
        {
            ulong tag = Varint();
            int field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: fields.Add((field, (long)Varint())); break;
                case 5: fields.Add((field, BitConverter.ToSingle(bytes, at))); at += 4; break;
                case 2: int length = (int)Varint(); fields.Add((field, bytes[at..(at + length)])); at += length; break;
                default: throw new InvalidDataException($"wire type {tag & 7}");
            }
        }
        return fields;
    }
}
