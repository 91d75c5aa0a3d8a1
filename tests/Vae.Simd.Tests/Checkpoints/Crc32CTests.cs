using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Checkpoints;

namespace Vae.Simd.Tests.Checkpoints;

public class Crc32CTests
{
    [Fact]
    public void MatchesThePublishedCheckValue()
    {
        // The CRC-32C catalogue's check value for "123456789" (also RFC 3720's iSCSI test vectors' polynomial).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.AppendPortable(0, "123456789"u8));
        Assert.Equal(0xE3069283u, BitwiseCrc32C("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void MatchesRfc3720TestVectors()
    {
        // RFC 3720, appendix B.4: 32 bytes of zeros, of 0xFF, and ascending 0..31.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void HardwareTablesAndBitwiseReferenceAgreeAtEveryLengthAndSplit()
    {
        Prop.ForAll(Gen.Choose(0, 300).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (length, seed) =>
        {
            var data = new byte[length];
            new Random(seed).NextBytes(data);
            uint reference = BitwiseCrc32C(data);
            int split = length == 0 ? 0 : seed % (length + 1);
            return Crc32C.Compute(data) == reference
                && Crc32C.AppendPortable(0, data) == reference
                && Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)) == reference
                && Crc32C.AppendPortable(Crc32C.AppendPortable(0, data.AsSpan(0, split)), data.AsSpan(split)) == reference;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    /// <summary>The definition, one bit at a time, with no table.</summary>
    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
