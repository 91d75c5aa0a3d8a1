using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

/// <summary>Malformed .gz files, .tgz packages and folders: each an InvalidDataException (or FileNotFound) naming the file and the problem.</summary>
public class PackageTests
{
    private readonly string _folder = TestData.TempFolder();

    private static InvalidDataException Refused(string path, IdxDataFiles files) =>
        Assert.Throws<InvalidDataException>(() => IdxDataLoader.Load(path, files));

    [Fact]
    public void AValidPackageAndAFolderOfGzipFilesLoadTheSameData()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        IdxDataFiles files = TestArchives.Sha256Files(raw);
        string package = TestArchives.Write(_folder, "tiny.tgz", TestArchives.Package([.. raw.Select(kv => (kv.Key, kv.Value))]));
        foreach ((string name, byte[] bytes) in raw) TestArchives.Write(_folder, name + ".gz", TestArchives.Gzip(bytes));
        DataSplit fromPackage = IdxDataLoader.Load(package, files), fromFolder = IdxDataLoader.Load(_folder, files);
        foreach (DataSplit split in new[] { fromPackage, fromFolder })
        {
            Assert.Equal((2, 2, 2), (split.Train.Count, split.Train.Height, split.Train.Width));
            Assert.Equal(raw["a"].AsSpan(16, 4).ToArray(), split.Train.Pixels(0).ToArray()); // after the 16-byte header
            Assert.Equal(raw["d"].AsSpan(8).ToArray(), split.Test.Labels.ToArray());
        }
    }

    [Fact]
    public void ATarEntryClaimingMoreThanThePackageCanHoldIsRefusedWithoutAllocatingIt()
    {
        // Header and IDX agree on 400 MB; the package is a few hundred bytes.
        byte[] idxHeader = [0, 0, 8, 1, 0x17, 0xD7, 0x84, 0x00, 1, 2, 3];
        string path = TestArchives.Write(_folder, "lying.tgz", TestArchives.LyingPackage("train-images-idx3-ubyte", 400_000_008, idxHeader));
        long before = GC.GetAllocatedBytesForCurrentThread();
        InvalidDataException e = Refused(path, IdxDataFiles.AnyIdx);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4_000_000, "the claimed size must not be allocated");
        Assert.Contains("lying.tgz!package/data/train-images-idx3-ubyte", e.Message);
        Assert.Contains("claims 400000008 bytes", e.Message);
    }

    [Fact]
    public void ATarEntryWhoseIdxHeaderDisagreesWithItsSizeIsRefused()
    {
        byte[] idx = IdxFileTests.Idx(3, 2, 2);
        idx[7] = 200; // 200 images of 2x2 described; the entry holds 3
        string path = TestArchives.Write(_folder, "short.tgz", TestArchives.Package(("train-images-idx3-ubyte", idx)));
        InvalidDataException e = Refused(path, IdxDataFiles.AnyIdx);
        Assert.Contains("short.tgz!package/data/train-images-idx3-ubyte", e.Message);
        Assert.Contains("describes 816 bytes", e.Message);
    }

    [Fact]
    public void TruncatedAndGarbagePackagesNameThePackage()
    {
        byte[] valid = TestArchives.Package([.. TestArchives.TinySet().Select(kv => (kv.Key, kv.Value))]);
        string truncated = TestArchives.Write(_folder, "truncated.tgz", valid.AsSpan(0, valid.Length / 2).ToArray());
        string garbage = TestArchives.Write(_folder, "garbage.tgz", [.. Enumerable.Range(0, 999).Select(i => (byte)(i * 31 + 7))]);
        string notGzip = TestArchives.Write(_folder, "text.tgz", "this is not a tar.gz"u8.ToArray());
        IdxDataFiles files = TestArchives.Sha256Files(TestArchives.TinySet());
        Assert.StartsWith(truncated, Refused(truncated, files).Message);
        Assert.StartsWith(garbage, Refused(garbage, files).Message);
        Assert.StartsWith(notGzip, Refused(notGzip, files).Message);
    }

    [Fact]
    public void AFileFailingItsHashIsNamedInsideItsPackage()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        IdxDataFiles files = TestArchives.Sha256Files(raw);
        raw["c"] = IdxFileTests.Idx(1, 2, 2);
        raw["c"][^1] ^= 1;
        string path = TestArchives.Write(_folder, "altered.tgz", TestArchives.Package([.. raw.Select(kv => (kv.Key, kv.Value))]));
        InvalidDataException e = Refused(path, files);
        Assert.Contains("altered.tgz!package/data/c: SHA-256", e.Message);
    }

    [Fact]
    public void LabelsThatDoNotMatchTheImagesAreRefused()
    {
        Dictionary<string, byte[]> raw = TestArchives.TinySet();
        raw["b"] = IdxFileTests.Idx(3);
        string path = TestArchives.Write(_folder, "labels.tgz", TestArchives.Package([.. raw.Select(kv => (kv.Key, kv.Value))]));
        InvalidDataException e = Refused(path, TestArchives.Sha256Files(raw));
        Assert.Equal($"{path}!package/data/b: 3 labels for 2 images in {path}!package/data/a.", e.Message);
        raw["b"] = IdxFileTests.Idx(2, 1);
        TestArchives.Write(_folder, "labels.tgz", TestArchives.Package([.. raw.Select(kv => (kv.Key, kv.Value))]));
        Assert.Contains("labels need rank 1", Refused(path, TestArchives.Sha256Files(raw)).Message);
    }

    [Fact]
    public void GzipFilesInAFolderAreValidatedBeforeAllocation()
    {
        IdxDataFiles files = IdxDataFiles.AnyIdx;
        string gz = Path.Combine(_folder, "train-images-idx3-ubyte.gz");

        File.WriteAllBytes(gz, TestArchives.Gzip([0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0x10, 0, 0, 0, 0x10, 0])); // 60000x4096x4096 described
        Assert.Contains("describe more than", Refused(_folder, files).Message);

        long before = GC.GetAllocatedBytesForCurrentThread();
        File.WriteAllBytes(gz, TestArchives.Gzip([0, 0, 8, 1, 0x20, 0, 0, 0, 1, 2, 3])); // 512 MB described, 3 bytes present
        InvalidDataException lying = Refused(_folder, files);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4_000_000, "a lying header must not be allocated");
        Assert.StartsWith(gz + ":", lying.Message);
        Assert.Contains("more than the input can hold", lying.Message);

        byte[] valid = TestArchives.Gzip(IdxFileTests.Idx(2, 2, 2));
        File.WriteAllBytes(gz, valid.AsSpan(0, valid.Length - 12).ToArray());
        Assert.StartsWith(gz + ":", Refused(_folder, files).Message);
        File.WriteAllBytes(gz, "not gzip at all"u8.ToArray());
        Assert.Contains("not valid gzip data", Refused(_folder, files).Message);
    }

    [Fact]
    public void ARawFileInAFolderIsNamedWhenTruncated()
    {
        string raw = Path.Combine(_folder, "train-images-idx3-ubyte");
        File.WriteAllBytes(raw, IdxFileTests.Idx(4, 3, 3).AsSpan(0, 30).ToArray());
        InvalidDataException e = Refused(_folder, IdxDataFiles.AnyIdx);
        Assert.Equal($"{raw}: the header describes 52 bytes ([4x3x3]) but the file has 30.", e.Message);
    }

    [Fact]
    public void MissingFilesAreNamedAndRawCopiesOfAGzipVerifiedSetAreExplained()
    {
        foreach (string name in IdxDataFiles.FashionMnist.All) File.WriteAllBytes(Path.Combine(_folder, name), IdxFileTests.Idx(1));
        var e = Assert.Throws<FileNotFoundException>(() => IdxDataLoader.Load(_folder, IdxDataFiles.FashionMnist));
        Assert.Contains("train-images-idx3-ubyte.gz was not found", e.Message);
        Assert.Contains("raw copies are not accepted", e.Message);
        Assert.Contains("train-images-idx3-ubyte (raw or .gz) was not found",
            Assert.Throws<FileNotFoundException>(() => IdxDataLoader.Load(TestData.TempFolder(), IdxDataFiles.Mnist)).Message);
    }

    [Fact]
    public void MutatedGzipFilesOnlyGiveInvalidData()
    {
        byte[] valid = TestArchives.Gzip(IdxFileTests.Idx(5, 4, 3));
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            byte[] mutated = (byte[])valid.Clone();
            for (int c = random.Next(1, 5); c > 0; c--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (random.Next(3) == 0) mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                byte[] raw = IdxDataLoader.DecompressIdx(mutated, "fuzz.gz");
                IdxFile.Parse(raw, "fuzz.gz"); // whatever comes out is a well-formed IDX file
            }
            catch (InvalidDataException e) when (e.Message.StartsWith("fuzz.gz: ", StringComparison.Ordinal)) { }
            return GC.GetAllocatedBytesForCurrentThread() - before < 2_000_000;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
