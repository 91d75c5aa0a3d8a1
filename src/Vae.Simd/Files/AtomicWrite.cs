namespace Vae.Simd.Files;

/// <summary>
/// Replaces a file whole or not at all: the content goes to a temporary file in the same folder (so the
/// rename cannot cross file systems), is flushed to the disk, and is then renamed over the target.
/// A crash or an exception at any point leaves the previous file as it was.
/// </summary>
internal static class AtomicWrite
{
    /// <summary>Runs <paramref name="writeContent"/> on a temporary file and renames it to <paramref name="path"/> once it returns.</summary>
    public static void ToFile(string path, Action<Stream> writeContent)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = TempPathFor(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the first failure is the one to report
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void ToFile(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray(); // a span cannot be captured by the writer callback
        ToFile(path, stream => stream.Write(copy));
    }

    /// <summary>Writes UTF-8 <paramref name="text"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void ToFile(string path, string text) => ToFile(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A unique name beside the target; it matches <c>name.tmp-*</c> so stray ones (after a kill) are easy to spot.</summary>
    internal static string TempPathFor(string fullPath) => $"{fullPath}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
}
