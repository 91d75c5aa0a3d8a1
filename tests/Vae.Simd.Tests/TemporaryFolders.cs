using System.Diagnostics;

namespace Vae.Simd.Tests;

/// <summary>
/// Temporary folders for a test run: all inside one root per process (<c>&lt;prefix&gt;&lt;pid&gt;-&lt;guid&gt;</c> in the
/// system's temporary folder), deleted when the process exits. A run that was killed cannot delete its root, so each
/// run also deletes the roots of runs whose process is gone. (Before this, every run left its folders behind — some
/// with a copy of MNIST — and a machine that ran the suite often had gigabytes of them.)
/// </summary>
internal static class TemporaryFolders
{
    private static readonly object s_lock = new();
    private static string? s_root;

    /// <summary>A new empty folder inside this process's root for <paramref name="prefix"/>.</summary>
    public static string Create(string prefix)
    {
        string path = Path.Combine(Root(prefix), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Root(string prefix)
    {
        lock (s_lock)
        {
            if (s_root != null) return s_root;
            DeleteRootsOfEndedRuns(prefix);
            string root = Path.Combine(Path.GetTempPath(), $"{prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(root);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
            return s_root = root;
        }
    }

    private static void DeleteRootsOfEndedRuns(string prefix)
    {
        foreach (string folder in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            string rest = Path.GetFileName(folder)[prefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash <= 0 || !int.TryParse(rest.AsSpan(0, dash), out int pid) || IsRunning(pid)) continue;
            TryDelete(folder);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next run to delete; a test never fails because of it.
        }
    }
}
