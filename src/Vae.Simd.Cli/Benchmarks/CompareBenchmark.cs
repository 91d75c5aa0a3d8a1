using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Vae.Simd.Data;

namespace Vae.Simd.Cli.Benchmarks;

/// <summary>
/// <c>vae bench compare</c>: our trainer against the PyTorch reference (<c>bench/compare/pytorch_vae.py</c>,
/// embedded in this program) on the same IDX files, the same model, batch and thread count. Each engine
/// runs as a child process, in alternating order over several rounds so that a host that slows down
/// part-way hurts both alike; peak memory is the child's high-water mark, polled while it runs.
/// </summary>
internal static class CompareBenchmark
{
    private const string ScriptResource = "Vae.Simd.Cli.pytorch_vae.py";

    /// <summary>One engine's figures in one round.</summary>
    internal sealed record EngineRun(string Engine, double ImagesPerSecond, double TestElbo, double PeakMegabytes, double Seconds);

    public static int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int rounds = options.Int("rounds", 1, 100);
        int epochs = options.Int("epochs", 1, 1000);
        int threads = options.Int("threads", 1, 1024);
        // PyTorch's own thread count may differ: on a small machine its best is not always at our count.
        int torchThreads = options.Has("torch-threads") ? options.Int("torch-threads", 1, 1024) : threads;
        int batch = options.Int("batch", 1, 1 << 20);
        int hidden = options.Int("hidden", 1, 1 << 16);
        int? limit = options.Has("limit") ? options.Int("limit", 1) : null;
        string data = options.RequiredString("data");

        string folder = IdxFolder(data, stderr);
        string work = Path.Combine(Path.GetTempPath(), "vae-compare-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            string? python = FindPythonWithTorch(options.String("python"), out string pythonProblem);
            string script = Path.Combine(work, "pytorch_vae.py");
            if (python is not null) WriteScript(script);
            else
                stderr.WriteLine($"compare: PyTorch not found ({pythonProblem}); showing this engine only. " +
                                 "To compare, install it (Debian: apt-get install python3-torch; elsewhere: pip install torch numpy) " +
                                 "or name an interpreter with --python.");

            string[] common = ["--epochs", Text(epochs), "--batch", Text(batch), "--hidden", Text(hidden)];
            if (limit is int n) common = [.. common, "--limit", Text(n)];
            string[] ourArguments = [.. common, "--threads", Text(threads)], torchArguments = [.. common, "--threads", Text(torchThreads)];
            var table = new List<(int Round, EngineRun Ours, EngineRun? Theirs)>();
            for (int round = 1; round <= rounds; round++)
            {
                EngineRun RunOurs() => RunOurEngine(folder, ourArguments, Path.Combine(work, "ours"));
                EngineRun? RunTheirs() => python is null ? null : RunPyTorch(python, script, folder, torchArguments);
                EngineRun ours;
                EngineRun? theirs;
                if (round % 2 == 1) { ours = RunOurs(); theirs = RunTheirs(); }
                else { theirs = RunTheirs(); ours = RunOurs(); }
                table.Add((round, ours, theirs));
                stderr.WriteLine($"compare: round {round}/{rounds} done");
            }
            Print(table, epochs, threads, torchThreads, batch, options.Has("json"), stdout);
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The folder of IDX files both engines read: a named data set's verified cache folder, or the user's folder.</summary>
    private static string IdxFolder(string data, TextWriter log)
    {
        if (DataSources.Named(data) is { } named)
        {
            var fetcher = new IdxDataFetcher();
            fetcher.Progress += message => log.WriteLine($"data: {message}");
            return fetcher.EnsureAsync(named).GetAwaiter().GetResult();
        }
        if (Directory.Exists(data)) return Path.GetFullPath(data);
        throw new UsageException($"--data '{data}': bench compare needs 'mnist', 'fashion-mnist' or a folder of IDX files that both engines can read.");
    }

    private static EngineRun RunOurEngine(string folder, string[] common, string work)
    {
        Directory.CreateDirectory(work);
        string metrics = Path.Combine(work, "metrics.jsonl");
        (string file, string[] prefix) = SelfCommand();
        string[] arguments = [.. prefix, "train", "--data", folder, .. common, "--out", Path.Combine(work, "model.vae"),
            "--metrics", metrics, "--sample-grid", "none", "--curve", "none", "--quiet"];
        (double seconds, double peak, _) = RunChild(file, arguments, "vae train");
        var rates = new List<double>();
        double testElbo = double.NaN;
        foreach (string line in File.ReadLines(metrics))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            rates.Add(json.RootElement.GetProperty("images_per_sec").GetDouble());
            testElbo = json.RootElement.GetProperty("test_elbo").GetDouble();
        }
        return new EngineRun("vae.simd", Median(rates), testElbo, peak, seconds);
    }

    private static EngineRun RunPyTorch(string python, string script, string folder, string[] common)
    {
        (double seconds, double peak, string output) = RunChild(python, [script, "--data", folder, .. common], "pytorch_vae.py");
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            if (!json.RootElement.TryGetProperty("summary", out _)) continue;
            return new EngineRun("pytorch", json.RootElement.GetProperty("images_per_sec_median").GetDouble(),
                json.RootElement.GetProperty("test_elbo").GetDouble(), peak, seconds);
        }
        throw new InvalidOperationException("pytorch_vae.py finished without its summary line.");
    }

    /// <summary>Runs a child to completion; returns its wall time, its peak resident memory (MB) and its stdout.</summary>
    private static (double Seconds, double PeakMegabytes, string Output) RunChild(string file, string[] arguments, string what)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        var watch = Stopwatch.StartNew();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {what}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(), errors = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(50))
        {
            // The high-water mark only grows, so the last reading before exit is the peak to within one interval.
            try { process.Refresh(); peak = Math.Max(peak, process.PeakWorkingSet64); } catch (InvalidOperationException) { }
        }
        process.WaitForExit();
        double seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{what} exited with code {process.ExitCode}: {LastLine(errors.Result)}");
        return (seconds, peak / (1024.0 * 1024.0), output.Result);
    }

    /// <summary>
    /// How to start this very program again: its own executable (native AOT or apphost) when it is the
    /// entry point, else <c>dotnet vae.dll</c> from this assembly's folder (under <c>dotnet vae.dll</c> or a test host).
    /// </summary>
    private static (string File, string[] Prefix) SelfCommand()
    {
        string? process = Environment.ProcessPath;
        bool runningAsVae = Assembly.GetEntryAssembly()?.GetName().Name == "vae";
        if (process is not null && runningAsVae && !Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return (process, []);
        return ("dotnet", [Path.Combine(AppContext.BaseDirectory, "vae.dll")]);
    }

    /// <summary>The first interpreter that imports torch: <c>--python</c> if given, else <c>python3</c> on the PATH, else Debian's <c>/usr/bin/python3</c>.</summary>
    internal static string? FindPythonWithTorch(string? requested, out string problem)
    {
        IEnumerable<string> candidates = requested is not null ? [requested] : ["python3", "/usr/bin/python3"];
        problem = "no python3";
        foreach (string candidate in candidates.Distinct())
        {
            try
            {
                var start = new ProcessStartInfo(candidate) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string argument in new[] { "-c", "import torch, numpy" }) start.ArgumentList.Add(argument);
                using Process process = Process.Start(start)!;
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode == 0) return candidate;
                problem = $"{candidate}: {LastLine(errors)}";
            }
            catch (System.ComponentModel.Win32Exception)
            {
                problem = $"{candidate}: not found";
            }
        }
        return null;
    }

    private static void WriteScript(string path)
    {
        using Stream source = Assembly.GetExecutingAssembly().GetManifestResourceStream(ScriptResource)
            ?? throw new InvalidOperationException($"the embedded {ScriptResource} is missing from this build.");
        using FileStream target = File.Create(path);
        source.CopyTo(target);
    }

    private static void Print(List<(int Round, EngineRun Ours, EngineRun? Theirs)> table, int epochs, int threads, int torchThreads, int batch, bool asJson, TextWriter stdout)
    {
        if (asJson)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("benchmark", "compare");
                json.WriteNumber("epochs", epochs); json.WriteNumber("threads", threads); json.WriteNumber("torch_threads", torchThreads); json.WriteNumber("batch", batch);
                json.WriteStartArray("rounds");
                foreach ((int round, EngineRun ours, EngineRun? theirs) in table)
                {
                    json.WriteStartObject();
                    json.WriteNumber("round", round);
                    foreach (EngineRun run in theirs is null ? [ours] : new[] { ours, theirs })
                    {
                        json.WriteStartObject(run.Engine);
                        json.WriteNumber("images_per_sec", Math.Round(run.ImagesPerSecond, 1));
                        json.WriteNumber("test_elbo", Math.Round(run.TestElbo, 3));
                        json.WriteNumber("peak_rss_mb", Math.Round(run.PeakMegabytes, 1));
                        json.WriteNumber("seconds", Math.Round(run.Seconds, 2));
                        json.WriteEndObject();
                    }
                    if (theirs is not null) json.WriteNumber("speedup", Math.Round(ours.ImagesPerSecond / theirs.ImagesPerSecond, 3));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                var speedups = table.Where(r => r.Theirs is not null).Select(r => r.Ours.ImagesPerSecond / r.Theirs!.ImagesPerSecond).ToList();
                if (speedups.Count > 0) json.WriteNumber("speedup_median", Math.Round(Median(speedups), 3));
                json.WriteEndObject();
            }
            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return;
        }
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"784-400-20 VAE, Adam 1e-3, batch {batch}, {threads} thread(s) (PyTorch: {torchThreads}), {epochs} epoch(s) a round"));
        stdout.WriteLine("round  engine      images/s   test ELBO   peak MB   speedup");
        foreach ((int round, EngineRun ours, EngineRun? theirs) in table)
        {
            stdout.WriteLine(Row(round, ours, theirs is null ? "" : (ours.ImagesPerSecond / theirs.ImagesPerSecond).ToString("F2", CultureInfo.InvariantCulture) + "x"));
            if (theirs is not null) stdout.WriteLine(Row(round, theirs, ""));
        }
        var ratios = table.Where(r => r.Theirs is not null).Select(r => r.Ours.ImagesPerSecond / r.Theirs!.ImagesPerSecond).ToList();
        if (ratios.Count > 0)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median speedup over {ratios.Count} round(s): {Median(ratios):F2}x"));
    }

    private static string Row(int round, EngineRun run, string speedup) => string.Create(CultureInfo.InvariantCulture,
        $"{round,5}  {run.Engine,-10} {run.ImagesPerSecond,9:F0}  {run.TestElbo,10:F2}  {run.PeakMegabytes,8:F0}   {speedup}");

    private static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
