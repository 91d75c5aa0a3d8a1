using System.Globalization;
using System.Security.Cryptography;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli;
using Vae.Simd.Data;
using Vae.Simd.Tests.Pictures;

namespace Vae.Simd.Tests.Cli;

/// <summary>
/// What a user of the CLI meets around the numbers: checkpoints that know their data, commands that
/// use every row of the file they are given, a --quiet that is quiet, and headers and pictures that say
/// what they show. Small fake IDX folders (4x4 images) stand in for Fashion-MNIST so the tests are fast.
/// </summary>
public class TrainingDataDefaultsTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A folder of the four IDX files, <paramref name="train"/> and <paramref name="test"/> random 4x4 images.</summary>
    private static string FakeIdxFolder(int seed, int train = 300, int test = 40)
    {
        string folder = TestData.TempFolder();
        var random = new Random(seed);
        byte[] Images(int n) { var b = new byte[n * 16]; random.NextBytes(b); return IdxWriter.Encode(b, n, 4, 4); }
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), Images(train));
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), IdxWriter.Encode(new byte[train], train));
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), Images(test));
        File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"), IdxWriter.Encode(new byte[test], test));
        return folder;
    }

    private static string Train(string data, string folder, params string[] more)
    {
        string model = Path.Combine(folder, "m.vae");
        (int code, _, string errors) = Run(["train", "--data", data, "--hidden", "8", "--latent", "2", "--epochs", "1", "--threads", "1",
            "--out", model, "--metrics", "none", "--sample-grid", "none", "--curve", "none", "--quiet", .. more]);
        Assert.True(code == 0, errors);
        return model;
    }

    private static string Csv(int rows, int columns, int seed)
    {
        string path = Path.Combine(TestData.TempFolder(), $"x{rows}.csv");
        var random = new Random(seed);
        File.WriteAllLines(path, Enumerable.Range(0, rows).Select(_ =>
            string.Join(',', Enumerable.Range(0, columns).Select(_ => random.NextDouble().ToString("F3", CultureInfo.InvariantCulture)))));
        return path;
    }

    [Fact]
    public void EncodeOfAFileWritesEveryRowUnlessASplitIsAsked()
    {
        string csv = Csv(50, 16, seed: 1);
        string model = Train(csv, Path.GetDirectoryName(csv)!);
        string z = Path.Combine(Path.GetDirectoryName(csv)!, "z.csv");
        (int code, string output, string errors) = Run("encode", "--model", model, "--data", csv, "--out", z);
        Assert.True(code == 0, errors);
        Assert.Equal((50, 4), (CsvFile.Read(z).Rows, CsvFile.Read(z).Columns));
        Assert.Contains($"50 rows, from {csv}:", output);
        Assert.Equal(0, Run("encode", "--model", model, "--data", csv, "--split", "test", "--out", z).Code);
        Assert.Equal(5, CsvFile.Read(z).Rows);
        Assert.Equal(0, Run("encode", "--model", model, "--data", csv, "--split", "train", "--out", z).Code);
        Assert.Equal(45, CsvFile.Read(z).Rows);

        // An IDX folder: training and test images together, in that order.
        string folder = FakeIdxFolder(seed: 2);
        string idxModel = Train(folder, folder);
        string npy = Path.Combine(folder, "z.npy");
        Assert.Equal(0, Run("encode", "--model", idxModel, "--data", folder, "--out", npy).Code);
        Assert.Equal(340, NpyFile.Read(npy).Rows);
        // The eval of a file scores all of its rows too, and says so.
        (_, output, _) = Run("eval", "--model", model, "--data", csv, "--iw", "0");
        Assert.Contains($"over 50 examples of {csv}", output);
    }

    [Fact]
    public void ACheckpointRecordsItsDataAndTheModelCommandsDefaultToIt()
    {
        string fashion = FakeIdxFolder(seed: 3), other = FakeIdxFolder(seed: 4);
        string model = Train(fashion, fashion, "--binarize", "threshold", "--limit", "200");

        TrainingData record = ModelCheckpoint.LoadTrainingData(Checkpoint.Read(model))!;
        Assert.Equal(Path.GetFullPath(fashion), record.Source);
        Assert.Equal((200, 16, BinarizationMode.Threshold), (record.Examples, record.Features, record.Binarization.Mode));
        foreach (string name in IdxDataFiles.AnyIdx.All)
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(fashion, name)))), record.FileSha256[name]);

        // No --data: its own test set, without a warning, for eval, encode and reconstruct (4x4 images).
        (int code, string output, string errors) = Run("eval", "--model", model, "--iw", "0");
        Assert.True(code == 0, errors);
        Assert.Contains($"over 40 examples of {Path.GetFullPath(fashion)} test", output);
        Assert.Equal("", errors);
        string z = Path.Combine(fashion, "z.csv");
        Assert.Equal(0, Run("encode", "--model", model, "--out", z).Code);
        Assert.Equal(40, CsvFile.Read(z).Rows);
        (_, output, errors) = Run("reconstruct", "--model", model, "--n", "3", "--out", Path.Combine(fashion, "r.png"));
        Assert.Contains($"from {Path.GetFullPath(fashion)} test", output);
        Assert.Equal("", errors);
        Assert.Contains($"trained on {Path.GetFullPath(fashion)} (200 examples)", Run("manifold", "--model", model, "--grid", "2", "--out", Path.Combine(fashion, "m.png")).Out);

        // The same files under their own path: no warning. Other data of the same width: one line.
        (_, _, errors) = Run("eval", "--model", model, "--data", fashion, "--iw", "0");
        Assert.Equal("", errors);
        (code, _, errors) = Run("eval", "--model", model, "--data", other, "--iw", "0");
        Assert.Equal(0, code);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains($"trained on {Path.GetFullPath(fashion)} (200 examples), not on {Path.GetFullPath(other)}", errors);

        // Its data changed on disk: a warning; its data gone: a usage error naming it.
        File.WriteAllBytes(Path.Combine(fashion, "t10k-labels-idx1-ubyte"), IdxWriter.Encode(Enumerable.Repeat((byte)1, 40).ToArray(), 40));
        (_, _, errors) = Run("eval", "--model", model, "--iw", "0");
        Assert.Contains("have changed since", errors);
        string moved = Path.Combine(TestData.TempFolder(), "m.vae");
        File.Move(model, moved);
        Directory.Delete(fashion, recursive: true);
        (code, _, errors) = Run("eval", "--model", moved, "--iw", "0");
        Assert.Equal(2, code);
        Assert.Contains($"was trained on {Path.GetFullPath(fashion)}, which is no longer there", errors);
    }

    [Fact]
    public void ResumingOnOtherDataWarns()
    {
        string first = FakeIdxFolder(seed: 8), second = FakeIdxFolder(seed: 9);
        string model = Train(first, first);
        string[] resume = ["train", "--resume", model, "--out", model, "--threads", "1", "--metrics", "none", "--sample-grid", "none", "--curve", "none"];
        (int code, _, string errors) = Run([.. resume, "--epochs", "2", "--data", first]);
        Assert.Equal(0, code);
        Assert.DoesNotContain("warning", errors);
        (code, _, errors) = Run([.. resume, "--epochs", "3", "--data", second]);
        Assert.Equal(0, code);
        Assert.Contains($"was trained on {Path.GetFullPath(first)}, not on {Path.GetFullPath(second)}", errors);
        Assert.Equal(Path.GetFullPath(second), ModelCheckpoint.LoadTrainingData(Checkpoint.Read(model))!.Source);
    }

    [Fact]
    public void QuietPrintsNothingButErrors()
    {
        string folder = FakeIdxFolder(seed: 5);
        string model = Path.Combine(folder, "m.vae");
        string[] args = ["train", "--data", folder, "--hidden", "8", "--latent", "2", "--epochs", "2", "--threads", "1", "--out", model];
        (int code, string output, string errors) = Run([.. args, "--quiet"]);
        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal("", errors);
        Assert.True(File.Exists(model) && File.Exists(Path.Combine(folder, "samples.png")));
        (code, _, errors) = Run([.. args, "--quiet", "--data", Path.Combine(folder, "missing.csv")]);
        Assert.Equal(2, code);
        Assert.Contains("missing.csv", errors);

        // Without it: the header (naming the folder), one line per epoch and the 'saved' line, on stdout.
        (_, output, _) = Run(args);
        string[] lines = output.Trim().Split('\n');
        Assert.StartsWith($"training 16-8-2", lines[0]);
        Assert.Contains($"on {Path.GetFullPath(folder)} train (300 examples)", lines[0]);
        Assert.StartsWith("epoch 1/2:", lines[1]);
        Assert.StartsWith("epoch 2/2:", lines[2]);
        Assert.Equal($"saved {model}", lines[3].Trim());
    }

    [Fact]
    public void TheHeaderStatesALimitOnce()
    {
        string folder = FakeIdxFolder(seed: 6);
        (_, string output, _) = Run("train", "--data", folder, "--limit", "100", "--hidden", "8", "--latent", "2", "--epochs", "0", "--threads", "1",
            "--out", Path.Combine(folder, "m.vae"), "--metrics", "none", "--sample-grid", "none", "--curve", "none");
        string header = output.Split('\n')[0];
        Assert.Contains($"on {Path.GetFullPath(folder)} train (first 100 of 300 examples),", header);
        Assert.Single(header.Split("first 100").Skip(1));
    }

    [Fact]
    public void TheReconstructionGridSeparatesOriginalsFromTheirReconstructionsAndPairsFromEachOther()
    {
        string folder = FakeIdxFolder(seed: 7);
        string model = Train(folder, folder);
        string png = Path.Combine(folder, "r.png");
        Assert.Equal(0, Run("reconstruct", "--model", model, "--n", "20", "--out", png).Code);
        (byte[] pixels, int width, int height) = PngDecoder.Decode(File.ReadAllBytes(png));
        // 16 columns, two pairs of rows: border 2, originals 4, gap 6, reconstructions 4, gap 14, originals 4, gap 6, reconstructions 4, border 2.
        Assert.Equal(16 * 4 + 17 * 2, width);
        Assert.Equal(2 + 4 + 6 + 4 + 14 + 4 + 6 + 4 + 2, height);
        bool Blank(int y) => pixels.AsSpan(y * width, width).IndexOfAnyExcept((byte)32) < 0;
        Assert.All(Enumerable.Range(6, 6), y => Assert.True(Blank(y), $"row {y} is in the gap below the originals"));
        Assert.All(Enumerable.Range(16, 14), y => Assert.True(Blank(y), $"row {y} is in the gap between pairs"));
        // The first original is test image 0 of the model's data, exactly.
        var first = new float[16];
        IdxDataLoader.Load(folder, IdxDataFiles.AnyIdx).Test.CopyBatch([0], first);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal((byte)MathF.Round(first[y * 4 + x] * 255f), pixels[(2 + y) * width + 2 + x]);
    }
}
