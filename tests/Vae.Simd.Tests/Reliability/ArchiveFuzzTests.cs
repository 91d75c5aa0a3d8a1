using System.Formats.Tar;
using System.IO.Compression;
using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Data;
using Vae.Simd.Tests.Data;

namespace Vae.Simd.Tests.Reliability;

/// <summary>Mutated and truncated .tgz packages: the loader answers with the documented exceptions only.</summary>
public class ArchiveFuzzTests
{
    private static byte[] Package()
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach ((string name, byte[] bytes) in new[] { ("train-images-idx3-ubyte", IdxFileTests.Idx(2, 2, 2)), ("train-labels-idx1-ubyte", IdxFileTests.Idx(2)) })
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "package/data/" + name) { DataStream = new MemoryStream(bytes) };
                tar.WriteEntry(entry);
            }
        }
        return memory.ToArray();
    }

    [Fact]
    public void MutatedPackagesGiveOnlyDocumentedExceptions()
    {
        byte[] valid = Package();
        string folder = TestData.TempFolder();
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])valid.Clone();
            for (int c = random.Next(1, 8); c > 0; c--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (random.Next(3) == 0) mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
            string path = Path.Combine(folder, $"fuzz-{seed}.tgz");
            File.WriteAllBytes(path, mutated);
            try { IdxDataLoader.Load(path, IdxDataFiles.Mnist); }
            catch (InvalidDataException) { }
            catch (FileNotFoundException e) when (e.Message.Contains("was not found", StringComparison.Ordinal)) { } // the package lacks a file
            finally { File.Delete(path); }
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }
}
