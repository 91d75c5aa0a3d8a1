using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Checkpoints;

namespace Vae.Simd.Tests.Checkpoints;

public class CheckpointFileTests
{
    private static byte[] SmallCheckpoint(out string folder)
    {
        folder = TestData.TempFolder();
        var file = new CheckpointFile();
        file.Add("config", "input=3\nhidden=2");
        file.Add("parameters", [1f, -2.5f, 3.25f, float.Epsilon]);
        file.Add("trainer.position", [1L, 2L, long.MaxValue]);
        string path = Path.Combine(folder, "small.vae");
        file.Save(path);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public void RoundTripsEverySectionType()
    {
        byte[] bytes = SmallCheckpoint(out string folder);
        CheckpointFile read = CheckpointFile.Load(Path.Combine(folder, "small.vae"));
        Assert.Equal(["config", "parameters", "trainer.position"], read.Sections);
        Assert.Equal("input=3\nhidden=2", read.Text("config"));
        Assert.Equal(new[] { 1f, -2.5f, 3.25f, float.Epsilon }, read.Floats("parameters"));
        Assert.Equal(new[] { 1L, 2L, long.MaxValue }, read.Int64s("trainer.position"));
        Assert.Contains("missing", Assert.Throws<InvalidDataException>(() => read.Floats("nope")).Message);
        Assert.Contains("not a float32", Assert.Throws<InvalidDataException>(() => read.Floats("config")).Message);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp*"));
        Assert.True(bytes.Length > 20);
    }

    [Fact]
    public void EverySingleBitFlipIsDetected()
    {
        byte[] bytes = SmallCheckpoint(out _);
        for (int i = 0; i < bytes.Length; i++)
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] altered = (byte[])bytes.Clone();
                altered[i] ^= (byte)(1 << bit);
                Assert.Throws<InvalidDataException>(() => CheckpointFile.Parse(altered, "altered"));
            }
    }

    [Fact]
    public void EveryTruncationIsDetected()
    {
        byte[] bytes = SmallCheckpoint(out _);
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<InvalidDataException>(() => CheckpointFile.Parse(bytes.AsSpan(0, length), "cut"));
            Assert.StartsWith("cut:", e.Message);
        }
    }

    [Fact]
    public void NewerVersionsAndForeignFilesAreNamed()
    {
        byte[] bytes = SmallCheckpoint(out _);
        bytes[8] = 9;
        Assert.Contains("newer version", Assert.Throws<InvalidDataException>(() => CheckpointFile.Parse(bytes, "f")).Message);
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => CheckpointFile.Parse("PK\x03\x04 not ours"u8, "f")).Message);
    }

    [Fact]
    public void RandomMutationsOnlyEverGiveInvalidData()
    {
        byte[] bytes = SmallCheckpoint(out _);
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])bytes.Clone();
            int changes = random.Next(1, 6);
            for (int c = 0; c < changes; c++) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (random.Next(3) == 0) mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
            try { CheckpointFile.Parse(mutated, "fuzz"); }
            catch (InvalidDataException) { }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void SavingOverAnExistingFileReplacesItWhole()
    {
        SmallCheckpoint(out string folder);
        string path = Path.Combine(folder, "small.vae");
        var replacement = new CheckpointFile();
        replacement.Add("config", "new");
        replacement.Save(path);
        Assert.Equal("new", CheckpointFile.Load(path).Text("config"));
        Assert.Single(Directory.GetFiles(folder));
    }
}
