using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

/// <summary>Small gzip files, .tgz packages and data-set descriptions built in memory for the loader tests.</summary>
internal static class TestArchives
{
    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(raw);
        return memory.ToArray();
    }

    /// <summary>A .tgz holding the given files under package/data/, as the npm package does.</summary>
    public static byte[] Package(params (string Name, byte[] Bytes)[] files)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach ((string name, byte[] bytes) in files)
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/data/" + name) { DataStream = new MemoryStream(bytes) });
        }
        return memory.ToArray();
    }

    /// <summary>
    /// A .tgz with one entry whose ustar header claims <paramref name="claimedSize"/> bytes while only
    /// <paramref name="content"/> follows (TarWriter cannot lie, so the header is written by hand).
    /// </summary>
    public static byte[] LyingPackage(string name, long claimedSize, byte[] content)
    {
        var header = new byte[512];
        void Put(int at, string text) => Encoding.ASCII.GetBytes(text).CopyTo(header, at);
        Put(0, "package/data/" + name);
        Put(100, "0000644\0");
        Put(108, "0000000\0");
        Put(116, "0000000\0");
        Put(124, Convert.ToString(claimedSize, 8).PadLeft(11, '0') + "\0");
        Put(136, "00000000000\0");
        Put(148, "        ");
        header[156] = (byte)'0';
        Put(257, "ustar\0");
        Put(263, "00");
        int checksum = header.Sum(b => b);
        Put(148, Convert.ToString(checksum, 8).PadLeft(6, '0') + "\0 ");
        var padded = new byte[(content.Length + 511) / 512 * 512];
        content.CopyTo(padded, 0);
        return Gzip([.. header, .. padded]);
    }

    /// <summary>Four tiny IDX files under the names a, b, c, d (train images/labels, test images/labels).</summary>
    public static Dictionary<string, byte[]> TinySet() => new()
    {
        ["a"] = IdxFileTests.Idx(2, 2, 2), ["b"] = IdxFileTests.Idx(2), ["c"] = IdxFileTests.Idx(1, 2, 2), ["d"] = IdxFileTests.Idx(1),
    };

    /// <summary>A data set of the files in <paramref name="raw"/>, verified by their SHA-256.</summary>
    public static IdxDataFiles Sha256Files(Dictionary<string, byte[]> raw, string name = "tiny") => new(name, "a", "b", "c", "d",
        raw.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(SHA256.HashData(kv.Value))));

    public static string Write(string folder, string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
