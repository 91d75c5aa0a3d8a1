using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Reliability;

/// <summary>Mutated NPY and CSV files: only <see cref="InvalidDataException"/> (or a successful read), and no allocation a tiny file cannot justify.</summary>
public class NumericFileFuzzTests
{
    [Fact]
    public void MutatedNpyFilesOnlyGiveInvalidData()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "valid.npy");
        NpyFile.Write(path, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        byte[] valid = File.ReadAllBytes(path);
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])valid.Clone();
            for (int c = random.Next(1, 6); c > 0; c--)
            {
                // Header bytes (the first 64) are where the interesting failures are.
                int at = random.Next(4) == 0 ? random.Next(mutated.Length) : random.Next(Math.Min(64, mutated.Length));
                mutated[at] = random.Next(3) == 0 ? (byte)"0123456789(),"[random.Next(13)] : (byte)random.Next(256);
            }
            if (random.Next(3) == 0) mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { NpyFile.Parse(mutated, "fuzz.npy"); }
            catch (InvalidDataException) { }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return allocated < 100_000; // a 100-byte file never justifies more
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void MutatedCsvFilesOnlyGiveInvalidData()
    {
        string folder = TestData.TempFolder();
        byte[] valid = "a,b,c\n1,2,3\n4.5,-6,7e-3\n8,9,10\n"u8.ToArray();
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])valid.Clone();
            for (int c = random.Next(1, 5); c > 0; c--) mutated[random.Next(mutated.Length)] = (byte)",\n.-eE0x \r"[random.Next(10)];
            string path = Path.Combine(folder, $"fuzz-{seed}.csv");
            File.WriteAllBytes(path, mutated);
            try
            {
                (float[] values, int rows, int columns) = CsvFile.Read(path);
                Assert.Equal(rows * columns, values.Length);
            }
            catch (InvalidDataException) { }
            finally { File.Delete(path); }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
