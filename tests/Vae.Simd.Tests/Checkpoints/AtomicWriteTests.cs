using Vae.Simd.Files;
using Vae.Simd.Checkpoints;

namespace Vae.Simd.Tests.Checkpoints;

/// <summary>Saving replaces the file whole or not at all, and leaves no temporary file behind.</summary>
public class AtomicWriteTests
{
    private static readonly CheckpointWriter Previous = new CheckpointWriter().AddText("config", "previous").AddFloats("parameters", [1f, 2f, 3f]);

    [Fact]
    public void AnExceptionMidWriteLeavesThePreviousFileAndNoTemporaryFile()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "model.vae");
        Previous.Save(path);
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<InvalidOperationException>(() => AtomicWrite.ToFile(path, stream =>
        {
            stream.Write(new byte[100_000]); // past the buffer: bytes really reach the temporary file
            throw new InvalidOperationException("the caller's content failed");
        }));
        Assert.Equal("the caller's content failed", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.vae"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void ADiskFullMidCheckpointLeavesThePreviousCheckpointLoadable()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "model.vae");
        Previous.Save(path);
        var next = new CheckpointWriter().AddText("config", "next").AddFloats("parameters", new float[10_000]);
        for (int failAt = 0; failAt < 40_100; failAt += 997)
        {
            int limit = failAt;
            Assert.Throws<IOException>(() => AtomicWrite.ToFile(path, stream => next.WriteTo(new FullDisk(stream, limit))));
            Assert.Equal("previous", Checkpoint.Read(path).Text("config"));
            Assert.Single(Directory.GetFiles(folder));
        }
        next.Save(path);
        Assert.Equal("next", Checkpoint.Read(path).Text("config"));
    }

    [Fact]
    public void SavingReplacesAnExistingFileAndCreatesMissingFolders()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "runs", "a", "model.vae");
        Previous.Save(path);
        new CheckpointWriter().AddText("config", "replacement").Save(path);
        Checkpoint read = Checkpoint.Read(path);
        Assert.Equal(["config"], read.SectionNames);
        Assert.Equal("replacement", read.Text("config"));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void SavingOverADirectoryFailsAndCleansUp()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "occupied");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => Previous.Save(path));
        Assert.Empty(Directory.GetFiles(folder));
        Assert.True(Directory.Exists(path));
    }

    /// <summary>A stream that fails like a full disk once <c>limit</c> bytes have been written.</summary>
    private sealed class FullDisk(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit)
            {
                inner.Write(buffer[..(int)(limit - _written)]);
                throw new IOException("No space left on device");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }
}
