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
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 5 }, "type 0x0D (float32) is not supported")]
    [InlineData(new byte[] { 0, 0, 0x42, 1, 0, 0, 0, 1, 5 }, "type 0x42 (not an IDX type)")]
    [InlineData(new byte[] { 0, 0, 8, 0 }, "rank 0")]
    [InlineData(new byte[] { 0, 0, 8 }, "truncated")]
    [InlineData(new byte[0], "truncated")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0x80, 0, 0, 0 }, "dimension 0 is 2147483648")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0 }, "describe more than")]
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
    public void AStreamOfUnknownLengthGrowsItsArrayOnlyAsDataArrives()
    {
        byte[] lying = [0, 0, 8, 1, 0x30, 0, 0, 0, 1, 2, 3]; // 805 MB described, 3 bytes present
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new UnseekableStream(lying), "stream.idx"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4_000_000);
        Assert.Contains("truncated", e.Message);

        byte[] valid = Idx(300, 50, 100); // 1.5 MB: more than the first growth step
        IdxFile file = IdxFile.Read(new UnseekableStream(valid), "stream.idx");
        Assert.Equal([300, 50, 100], file.Dimensions);
        Assert.Equal(valid.AsSpan(16).ToArray(), file.Data.ToArray());
        Assert.Contains("continues", Assert.Throws<InvalidDataException>(() => IdxFile.Read(new UnseekableStream([.. Idx(2), 9]), "s.idx")).Message);
    }

    /// <summary>A stream that cannot seek and hands out at most 1000 bytes per read, like a network or gzip stream.</summary>
    private sealed class UnseekableStream(byte[] bytes) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1000), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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
            long before = GC.GetAllocatedBytesForCurrentThread();
            Stream stream = random.Next(2) == 0 ? new MemoryStream(mutated) : new UnseekableStream(mutated);
            try { IdxFile.Read(stream, "fuzz.idx", random.Next(2) == 0 ? mutated.Length : null); }
            catch (InvalidDataException e) when (e.Message.StartsWith("fuzz.idx: ", StringComparison.Ordinal)) { }
            try { IdxFile.Parse(mutated, "fuzz.idx"); }
            catch (InvalidDataException e) when (e.Message.StartsWith("fuzz.idx: ", StringComparison.Ordinal)) { }
            return GC.GetAllocatedBytesForCurrentThread() - before < 2_000_000;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }
}
