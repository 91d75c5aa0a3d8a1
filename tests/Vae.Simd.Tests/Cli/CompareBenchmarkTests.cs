using System.Text.Json;
using Vae.Simd.Cli;

namespace Vae.Simd.Tests.Cli;

/// <summary><c>vae bench compare</c> on a small IDX folder: our side as a real child process, the other side a stand-in interpreter.</summary>
public class CompareBenchmarkTests
{
    private static string SmallIdxFolder()
    {
        string folder = TestData.TempFolder();
        var random = new Random(5);
        byte[] Images(int n) { var b = new byte[n * 784]; random.NextBytes(b); return Vae.Simd.Data.IdxWriter.Encode(b, n, 28, 28); }
        byte[] Labels(int n) => Vae.Simd.Data.IdxWriter.Encode(new byte[n], n);
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), Images(256));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), Labels(256));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), Images(64));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"), Labels(64));
        return folder;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void WithoutPyTorchItSaysHowToGetItAndShowsOurSideOfEveryRound()
    {
        string data = SmallIdxFolder();
        (int code, string output, string errors) = Run("bench", "compare", "--data", data, "--hidden", "16", "--rounds", "2",
            "--python", Path.Combine(data, "no-such-python"), "--json");
        Assert.True(code == 0, errors);
        Assert.Contains("PyTorch not found", errors);
        Assert.Contains("python3-torch", errors);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement rounds = json.RootElement.GetProperty("rounds");
        Assert.Equal(2, rounds.GetArrayLength());
        foreach (JsonElement round in rounds.EnumerateArray())
        {
            JsonElement ours = round.GetProperty("vae.simd");
            Assert.True(ours.GetProperty("images_per_sec").GetDouble() > 0);
            double elbo = ours.GetProperty("test_elbo").GetDouble();
            Assert.True(double.IsFinite(elbo) && elbo < 0, $"test ELBO {elbo}");
            Assert.True(ours.GetProperty("peak_rss_mb").GetDouble() > 1, "the child's peak memory was not read");
            Assert.False(round.TryGetProperty("pytorch", out _));
        }
        // The same seed and data in every round: the same model, so the same test ELBO.
        Assert.Equal(rounds[0].GetProperty("vae.simd").GetProperty("test_elbo").GetDouble(), rounds[1].GetProperty("vae.simd").GetProperty("test_elbo").GetDouble());
    }

    [Fact]
    public void WithAnInterpreterItRunsTheReferenceEveryRoundAndReportsTheRatio()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        string data = SmallIdxFolder();
        // A stand-in for python3 with torch: answers the import probe, then prints the reference's summary line
        // and appends a timestamp, so the test can see when it ran relative to our side.
        string log = Path.Combine(data, "calls.log"), arguments = Path.Combine(data, "arguments.log"), python = Path.Combine(data, "fake-python");
        File.WriteAllText(python, $$"""
            #!/bin/sh
            if [ "$1" = "-c" ]; then exit 0; fi
            date +%s%N >> '{{log}}'
            echo "$@" >> '{{arguments}}'
            echo '{"engine": "pytorch", "epoch": 1, "images_per_sec": 1000.0}'
            echo '{"engine": "pytorch", "summary": true, "test_elbo": -200.5, "images_per_sec_median": 1000.0, "peak_rss_mb": 1}'
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        (int code, string output, string errors) = Run("bench", "compare", "--data", data, "--hidden", "16", "--rounds", "2",
            "--threads", "2", "--torch-threads", "1", "--python", python, "--json");
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        // PyTorch got its own thread count; the table records both.
        Assert.All(File.ReadAllLines(arguments), line => Assert.Contains("--threads 1 ", line + " "));
        Assert.Equal(2, json.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("torch_threads").GetInt32());
        JsonElement rounds = json.RootElement.GetProperty("rounds");
        Assert.Equal(2, rounds.GetArrayLength());
        var speedups = new List<double>();
        foreach (JsonElement round in rounds.EnumerateArray())
        {
            double ours = round.GetProperty("vae.simd").GetProperty("images_per_sec").GetDouble();
            JsonElement theirs = round.GetProperty("pytorch");
            Assert.Equal(1000.0, theirs.GetProperty("images_per_sec").GetDouble());
            Assert.Equal(-200.5, theirs.GetProperty("test_elbo").GetDouble());
            Assert.Equal(Math.Round(ours / 1000.0, 3), round.GetProperty("speedup").GetDouble(), 3);
            speedups.Add(round.GetProperty("speedup").GetDouble());
        }
        // The median of two rounds is their mean, rounded to 3 places from the unrounded ratios; each reported ratio is
        // itself rounded (±0.0005), so the two can differ by up to 0.001 — comparing at 2 places failed at rounding edges.
        double median = json.RootElement.GetProperty("speedup_median").GetDouble();
        Assert.True(Math.Abs(speedups.Average() - median) <= 0.0011, $"median {median} vs the mean of the rounds {speedups.Average()}");
        Assert.Equal(2, File.ReadAllLines(log).Length);
    }

    [Fact]
    public void ANamedFolderThatDoesNotExistIsAUsageError()
    {
        (int code, _, string errors) = Run("bench", "compare", "--data", Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N")));
        Assert.Equal(2, code);
        Assert.Contains("folder of IDX files", errors);
    }

    [Fact]
    public void TheEmbeddedReferenceScriptIsTheOneInBenchCompare()
    {
        using Stream embedded = typeof(CommandRunner).Assembly.GetManifestResourceStream("Vae.Simd.Cli.pytorch_vae.py")!;
        Assert.NotNull(embedded);
        string text = new StreamReader(embedded).ReadToEnd();
        Assert.Contains("binary_cross_entropy_with_logits", text);
        Assert.Contains("images_per_sec_median", text);
    }
}
