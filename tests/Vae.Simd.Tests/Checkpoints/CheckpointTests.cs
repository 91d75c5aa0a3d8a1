using Vae.Simd.Checkpoints;

namespace Vae.Simd.Tests.Checkpoints;

public class CheckpointTests
{
    [Fact]
    public void EverySectionTypeRoundTripsBitForBit()
    {
        float[] floats = [1f, -2.5f, 3.25f, float.Epsilon, -0f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC12345), float.PositiveInfinity, float.MaxValue];
        long[] longs = [0, 1, -1, long.MinValue, long.MaxValue, 60_000];
        string text = "input=784\nhidden=500,500\nname=Kingma & Welling — λ≈0.5 \U0001F600";
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "all.vae");
        new CheckpointWriter()
            .AddText("config", text)
            .AddFloats("parameters", floats)
            .AddInt64s("trainer", longs)
            .AddText("empty.text", "")
            .AddFloats("empty.floats", [])
            .AddInt64s("one", [42])
            .Save(path);

        Checkpoint read = Checkpoint.Read(path);
        Assert.Equal(path, read.Source);
        Assert.Equal(["config", "parameters", "trainer", "empty.text", "empty.floats", "one"], read.SectionNames);
        Assert.Equal(text, read.Text("config"));
        Assert.Equal(floats.Select(BitConverter.SingleToInt32Bits), read.Floats("parameters").Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(longs, read.Int64s("trainer"));
        Assert.Equal("", read.Text("empty.text"));
        Assert.Empty(read.Floats("empty.floats"));
        Assert.Equal([42L], read.Int64s("one"));
        Assert.True(read.Contains("trainer"));
        Assert.False(read.Contains("Trainer"));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void TheFileIsLittleEndianWithTheDocumentedLayout()
    {
        byte[] bytes = new CheckpointWriter().AddInt64s("n", [0x0102030405060708]).AddFloats("f", [1f]).ToBytes();
        Assert.Equal("VAESIMD\0"u8.ToArray(), bytes[..8]);
        Assert.Equal([2, 0, 0, 0], bytes[8..12]);         // version
        Assert.Equal([2, 0, 0, 0], bytes[12..16]);        // sections
        Assert.Equal(bytes.Length, BitConverter.ToInt64(bytes, 16));
        // Table: two entries of 1 + 1 + 1 + 8 + 8 = 19 bytes end at 62; payloads start at 64.
        Assert.Equal(1, bytes[24]);
        Assert.Equal((byte)'n', bytes[25]);
        Assert.Equal(3, bytes[26]);                       // int64
        Assert.Equal(64, BitConverter.ToInt64(bytes, 27));
        Assert.Equal(1, BitConverter.ToInt64(bytes, 35));
        Assert.Equal(72, BitConverter.ToInt64(bytes, 24 + 19 + 3));
        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1], bytes[64..72]);
        Assert.Equal([0x00, 0x00, 0x80, 0x3F], bytes[72..76]); // 1f, little-endian
        Assert.Equal([0, 0, 0, 0], bytes[76..80]);        // padding to 8
        Assert.Equal(84, bytes.Length);
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(0, 80)), BitConverter.ToUInt32(bytes, 80));
    }

    [Fact]
    public void MissingSectionsAndWrongTypesAreNamed()
    {
        Checkpoint read = Checkpoint.Parse(new CheckpointWriter().AddText("config", "x=1").AddFloats("parameters", [1f]).ToBytes(), "model.vae");
        var missing = Assert.Throws<InvalidDataException>(() => read.Floats("optimizer.state.0"));
        Assert.Equal("model.vae: the section 'optimizer.state.0' is missing (it has: config, parameters).", missing.Message);
        var wrongType = Assert.Throws<InvalidDataException>(() => read.Int64s("parameters"));
        Assert.Equal("model.vae: the section 'parameters' is a float32 array, not a int64 array.", wrongType.Message);
        Assert.Contains("is a text, not a float32 array", Assert.Throws<InvalidDataException>(() => read.Floats("config")).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("ünïcode")]
    [InlineData("ab123456789012345678901234567890123456789012345678901234567890123")] // 65 characters
    public void InvalidSectionNamesAreRefused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new CheckpointWriter().AddText(name, "x"));
        Assert.Contains("section name", e.Message);
    }

    [Fact]
    public void DuplicateSectionNamesAreRefused()
    {
        var writer = new CheckpointWriter().AddFloats("parameters", [1f]);
        Assert.Contains("already added", Assert.Throws<ArgumentException>(() => writer.AddInt64s("parameters", [1])).Message);
    }

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        string path = Path.Combine(TestData.TempFolder(), "absent.vae");
        Assert.Contains("absent.vae", Assert.Throws<FileNotFoundException>(() => Checkpoint.Read(path)).Message);
    }
}
