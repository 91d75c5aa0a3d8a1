using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

public class IdxFileTests
{
    internal static byte[] Idx(params int[] dimensions)
    {
        int total = dimensions.Aggregate(1, (a, b) => a * b);
        var bytes = new byte[4 + 4 * dimensions.Length + total];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        for (int i = 0; i < total; i++) bytes[4 + 4 * dimensions.Length + i] = (byte)(i * 7);
        return bytes;
    }

    [Fact]
    public void ReadsAWellFormedFile()
    {
        IdxFile file = IdxFile.Read(new MemoryStream(Idx(3, 2, 2)), "t.idx");
        Assert.Equal([3, 2, 2], file.Dimensions);
        Assert.Equal(12, file.Data.Count);
        Assert.Equal((byte)77, file.Data[11]);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 8, 1 }, "magic")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 5 }, "type 0x0D")]
    [InlineData(new byte[] { 0, 0, 8, 9 }, "rank 9")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0 }, "truncated")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 5, 1, 2 }, "truncated")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 0 }, "dimension 0 is 0")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 5, 6 }, "continues")]
    public void MalformedFilesAreNamedWithTheProblem(byte[] bytes, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(bytes), "bad.idx"));
        Assert.StartsWith("bad.idx:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void ParseViewsTheDataInPlaceAndChecksTheLength()
    {
        byte[] bytes = Idx(2, 3);
        IdxFile file = IdxFile.Parse(bytes, "p.idx");
        Assert.Same(bytes, file.Data.Array);
        Assert.Equal(12, file.Data.Offset);
        Assert.Contains("describes 18 bytes", Assert.Throws<InvalidDataException>(() => IdxFile.Parse(bytes.AsSpan(0, 17).ToArray(), "p.idx")).Message);
        Assert.Contains("describes 18 bytes", Assert.Throws<InvalidDataException>(() => IdxFile.Parse([.. bytes, 0], "p.idx")).Message);
    }

    [Fact]
    public void ALyingHeaderIsRefusedBeforeAnythingLargeIsAllocated()
    {
        byte[] bytes = [0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 1, 2, 3];
        var huge = new MemoryStream(bytes);
        var shortFile = new MemoryStream(Idx(1000, 28, 28).AsSpan(0, 100).ToArray());
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => IdxFile.Read(huge, "huge.idx"));
        Assert.Throws<InvalidDataException>(() => IdxFile.Read(shortFile, "short.idx", 100));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
    }

    [Fact]
    public void MutatedFilesOnlyEverGiveInvalidData()
    {
        byte[] valid = Idx(4, 3, 3);
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])valid.Clone();
            for (int c = random.Next(1, 4); c > 0; c--) mutated[random.Next(Math.Min(mutated.Length, 20))] = (byte)random.Next(256);
            if (random.Next(3) == 0) mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
            try { IdxFile.Read(new MemoryStream(mutated), "fuzz.idx", random.Next(2) == 0 ? mutated.Length : null); }
            catch (InvalidDataException) { }
            try { IdxFile.Parse(mutated, "fuzz.idx"); }
            catch (InvalidDataException) { }
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
