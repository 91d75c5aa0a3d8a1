using System.Text.Json;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli;

namespace Vae.Simd.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void TrainWritesAModelAndMetricsAndResumesToTheSameParameters()
    {
        string folder = TestData.TempFolder();
        string model = Path.Combine(folder, "m.vae"), metrics = Path.Combine(folder, "metrics.jsonl"), resumed = Path.Combine(folder, "r.vae");
        string[] common = ["--data", TestData.MnistFolder, "--limit", "600", "--hidden", "32", "--latent", "2", "--batch", "100", "--threads", "2"];
        (int code, string output, string errors) = Run(["train", .. common, "--epochs", "2", "--out", model, "--metrics", metrics]);
        Assert.True(code == 0, errors);
        Assert.Contains("epoch 2/2", output);
        // The main job's other outputs, beside the model: a sample grid and the learning curve.
        (_, int gridWidth, _) = Pictures.PngDecoder.Decode(File.ReadAllBytes(Path.Combine(folder, "samples.png")));
        Assert.Equal(8 * 28 + 9 * 2, gridWidth);
        Assert.Equal(2, System.Xml.Linq.XDocument.Load(Path.Combine(folder, "curve.svg")).Descendants(System.Xml.Linq.XName.Get("polyline", "http://www.w3.org/2000/svg")).Count());
        string[] lines = File.ReadAllLines(metrics);
        Assert.Equal(2, lines.Length);
        using (JsonDocument json = JsonDocument.Parse(lines[1]))
        {
            foreach (string key in new[] { "epoch", "train_elbo", "test_elbo", "images_per_sec", "seconds" })
                Assert.True(json.RootElement.TryGetProperty(key, out _), key);
            Assert.Equal(2, json.RootElement.GetProperty("epoch").GetInt32());
        }

        // One epoch, then resume for the second: the same parameters as two epochs straight.
        Assert.Equal(0, Run(["train", .. common, "--quiet", "--epochs", "1", "--out", resumed]).Code);
        Assert.Equal(0, Run(["train", "--data", TestData.MnistFolder, "--limit", "600", "--threads", "1", "--quiet", "--epochs", "2", "--resume", resumed, "--out", resumed]).Code);
        Assert.Equal(Checkpoint.Read(model).Floats("parameters"), Checkpoint.Read(resumed).Floats("parameters"));
    }

    [Fact]
    public void LocalIdxFilesOfAnotherDataSetAreAccepted()
    {
        // A folder in the MNIST layout whose contents are not MNIST (as Fashion-MNIST or KMNIST would be).
        string folder = TestData.TempFolder();
        var random = new Random(3);
        byte[] Images(int n) { var b = new byte[n * 784]; random.NextBytes(b); return Vae.Simd.Data.IdxWriter.Encode(b, n, 28, 28); }
        byte[] Labels(int n) => Vae.Simd.Data.IdxWriter.Encode(new byte[n], n);
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), Images(300));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), Labels(300));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), Images(50));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"), Labels(50));
        (int code, string output, string errors) = Run("train", "--data", folder, "--hidden", "16", "--latent", "2", "--epochs", "1",
            "--out", Path.Combine(folder, "m.vae"));
        Assert.True(code == 0, errors);
        Assert.Contains("epoch 1/1", output);
    }

    [Theory]
    [InlineData(new[] { "train", "--latent", "zero" }, "--latent")]
    [InlineData(new[] { "train", "--optimizer", "rmsprop" }, "adam, adagrad, sgd")]
    [InlineData(new[] { "train", "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "train", "--objective", "iwae", "--k", "5", "--samples", "2" }, "'--samples' belongs to the ELBO")]
    [InlineData(new[] { "train", "--k", "5" }, "'--k' sets the importance samples of --objective iwae")]
    [InlineData(new[] { "train", "--objective", "iwae", "--k", "0" }, "--k")]
    [InlineData(new[] { "train", "--algorithm", "wake-sleep", "--objective", "iwae" }, "--algorithm wake-sleep")]
    [InlineData(new[] { "train", "--algorithm", "sleep-wake" }, "aevb, wake-sleep")]
    [InlineData(new[] { "bench", "gemm", "--shape", "12x" }, "MxKxN")]
    [InlineData(new[] { "nosuchcommand" }, "unknown command")]
    public void BadUsageIsOneClearLineAndExitCode2(string[] args, string expected)
    {
        (int code, _, string errors) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, errors);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public void ACorruptCheckpointIsRefusedByResumeWithItsName()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "broken.vae");
        byte[] bytes = new CheckpointWriter().AddText("config", "input=4").ToBytes();
        bytes[^6] ^= 1; // inside the text: only the checksum can tell
        File.WriteAllBytes(path, bytes);
        (int code, _, string errors) = Run("train", "--data", TestData.MnistFolder, "--resume", path, "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("broken.vae", errors);
        Assert.Contains("checksum", errors);
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        foreach (var command in CommandRunner.Commands)
        {
            (int code, string output, _) = Run(command.Name, "--help");
            Assert.Equal(0, code);
            Assert.Contains($"vae {command.Name}", output);
        }
    }
}
