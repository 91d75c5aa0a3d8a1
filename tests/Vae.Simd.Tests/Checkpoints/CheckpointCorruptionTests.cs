using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Checkpoints;

namespace Vae.Simd.Tests.Checkpoints;

/// <summary>Truncated, altered and lying checkpoints: always an <see cref="InvalidDataException"/> naming the file and the fault, never a crash or a huge allocation.</summary>
public class CheckpointCorruptionTests
{
    private static readonly byte[] Small = new CheckpointWriter()
        .AddText("config", "input=3\nhidden=2")
        .AddFloats("parameters", [1f, -2.5f, 3.25f, float.Epsilon, 7f])
        .AddInt64s("trainer.position", [1, 2, long.MaxValue])
        .ToBytes();

    [Fact]
    public void TheSmallCheckpointIsValid() => Assert.Equal(3, Checkpoint.Parse(Small, "small.vae").SectionNames.Count);

    [Fact]
    public void EveryTruncationIsReportedAsTruncated()
    {
        for (int length = 0; length < Small.Length; length++)
        {
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(Small[..length], "cut.vae"));
            Assert.StartsWith("cut.vae: truncated", e.Message);
            if (length >= 24) Assert.Contains($"expected {Small.Length} bytes, found {length}", e.Message);
        }
    }

    [Fact]
    public void EverySingleBitFlipIsDetected()
    {
        for (int i = 0; i < Small.Length; i++)
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] altered = (byte[])Small.Clone();
                altered[i] ^= (byte)(1 << bit);
                var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(altered, "flip.vae"));
                Assert.StartsWith("flip.vae: ", e.Message);
            }
    }

    [Fact]
    public void AFlipInsideAPayloadIsAChecksumMismatch()
    {
        byte[] altered = (byte[])Small.Clone();
        altered[^10] ^= 0x10; // inside trainer.position
        Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(altered, "f")).Message);
    }

    [Fact]
    public void ForeignFilesAreNotCheckpoints()
    {
        Assert.Equal("zip.vae: not a Vae.Simd checkpoint (bad magic).",
            Assert.Throws<InvalidDataException>(() => Checkpoint.Parse("PK\x03\x04 a zip archive, not ours....."u8.ToArray(), "zip.vae")).Message);
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => Checkpoint.Parse([(byte)'X'], "x")).Message);
    }

    [Fact]
    public void ANewerVersionSaysSo()
    {
        byte[] newer = Patch(Small, 8, 3, 4);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(newer, "new.vae"));
        Assert.StartsWith("new.vae: written by a newer version of Vae.Simd (checkpoint format 3", e.Message);
        Assert.Contains("format 1 is not readable", Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(Patch(Small, 8, 1, 4), "old")).Message);
    }

    [Fact]
    public void ExtraBytesAfterTheEndAreRefused()
    {
        byte[] longer = [.. Small, 0];
        Assert.Contains($"1 unexpected bytes after the end: expected {Small.Length} bytes, found {Small.Length + 1}",
            Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(longer, "f")).Message);
    }

    public static TheoryData<string, int, long, string> LyingFields => new()
    {
        // field, byte offset (resolved by name), the lie, what the message must say
        { "file length", 16, long.MaxValue, "impossible" },
        { "file length", 16, 1L << 30, "truncated: expected 1073741824 bytes" },
        { "section count", 12, uint.MaxValue, "claims 4294967295 sections" },
        { "section count", 12, 2, "section 'config' claims offset" },
        { "section count", 12, 0, "section table accounts for" },
        { "count:parameters", -1, long.MaxValue / 4, "claims 2305843009213693951 elements" },
        { "count:parameters", -1, 1L << 40, "past the end" },
        { "count:parameters", -1, -1, "claims -1 elements" },
        { "count:parameters", -1, 7, "section 'trainer.position' claims offset" },
        { "offset:trainer.position", -1, 0, "claims offset 0" },
        { "type:config", -1, 9, "unknown type 9" },
        { "name:config", -1, 0, "name of 0 bytes" },
        { "name:config", -1, 200, "name of 200 bytes" },
    };

    [Theory]
    [MemberData(nameof(LyingFields))]
    public void LyingHeadersWithAValidChecksumAreRefusedWithoutLargeAllocations(string field, int offset, long lie, string expected)
    {
        (int at, int width) = field switch
        {
            "file length" => (offset, 8),
            "section count" => (offset, 4),
            _ => Locate(Small, field),
        };
        byte[] lying = Reseal(Patch(Small, at, lie, width));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(lying, "lie.vae"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith("lie.vae: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.True(allocated < 64_000, $"{allocated} bytes allocated reading a {lying.Length}-byte file");
    }

    [Fact]
    public void DuplicateNamesInvalidUtf8AndNonZeroPaddingAreRefusedEvenWithAValidChecksum()
    {
        byte[] twins = new CheckpointWriter().AddInt64s("a", [1]).AddInt64s("b", [2]).ToBytes();
        twins[24 + 19 + 1] = (byte)'a';
        Assert.Contains("section 'a' appears twice", Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(Reseal(twins), "f")).Message);

        byte[] text = new CheckpointWriter().AddText("t", "ok").ToBytes();
        text[48] = 0xC3; // a lead byte followed by 'k': not UTF-8
        Assert.Contains("section 't' is not valid UTF-8", Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(Reseal(text), "f")).Message);

        text = new CheckpointWriter().AddText("t", "ok").ToBytes();
        text[50] = 1; // padding after the two text bytes
        Assert.Contains("non-zero padding", Assert.Throws<InvalidDataException>(() => Checkpoint.Parse(Reseal(text), "f")).Message);
    }

    [Fact]
    public void RandomMutationsOnlyEverGiveInvalidData()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Elements(false, true).ToArbitrary(), (seed, reseal) =>
        {
            byte[] mutated = Mutate(Small, new Random(seed));
            // Resealing recomputes the checksum, so the structural checks face the mutation alone.
            if (reseal && mutated.Length >= 28) mutated = Reseal(mutated);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Checkpoint.Parse(mutated, "fuzz.vae");
                if (!reseal && !mutated.AsSpan().SequenceEqual(Small)) return false.Label("an altered file was accepted");
            }
            catch (InvalidDataException e) when (e.Message.StartsWith("fuzz.vae: ", StringComparison.Ordinal)) { }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (allocated < 64_000).Label($"{allocated} bytes allocated");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (int c = random.Next(1, 4); c > 0; c--)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveAt(at); break;
                case 3: bytes.Insert(at, (byte)random.Next(256)); break;
                case 4: bytes[at] = random.Next(2) == 0 ? (byte)0xFF : (byte)0; break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
            if (bytes.Count == 0) break;
        }
        return [.. bytes];
    }

    /// <summary>Where a table field lives: "count:NAME", "offset:NAME", "type:NAME" or "name:NAME" (its length byte).</summary>
    private static (int At, int Width) Locate(byte[] bytes, string field)
    {
        string[] parts = field.Split(':');
        int at = 24;
        for (int s = 0; s < BitConverter.ToInt32(bytes, 12); s++)
        {
            int nameLength = bytes[at];
            string name = System.Text.Encoding.ASCII.GetString(bytes, at + 1, nameLength);
            int type = at + 1 + nameLength;
            if (name == parts[1])
                return parts[0] switch
                {
                    "name" => (at, 1),
                    "type" => (type, 1),
                    "offset" => (type + 1, 8),
                    _ => (type + 9, 8),
                };
            at = type + 17;
        }
        throw new ArgumentException(field);
    }

    private static byte[] Patch(byte[] bytes, int at, long value, int width)
    {
        byte[] patched = (byte[])bytes.Clone();
        Span<byte> le = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(le, value);
        le[..width].CopyTo(patched.AsSpan(at));
        return patched;
    }

    private static byte[] Reseal(byte[] bytes)
    {
        byte[] sealedCopy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(sealedCopy.AsSpan(sealedCopy.Length - 4), Crc32C.Compute(sealedCopy.AsSpan(0, sealedCopy.Length - 4)));
        return sealedCopy;
    }
}
