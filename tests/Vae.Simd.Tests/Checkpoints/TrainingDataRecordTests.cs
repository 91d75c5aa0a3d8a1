using Vae.Simd.Checkpoints;
using Vae.Simd.Cli;
using Vae.Simd.Data;

namespace Vae.Simd.Tests.Checkpoints;

/// <summary>
/// The record of the training data (section <c>data</c>) is an addition to format 2, not a new format:
/// checkpoints written before it still load, resume and evaluate.
/// </summary>
public class TrainingDataRecordTests
{
    /// <summary>
    /// A resumable checkpoint written by main at 6206a8f (before the data record) with
    /// <c>vae train --data tiny.csv --hidden 3 --latent 2 --epochs 1 --batch 4 --threads 1</c>.
    /// </summary>
    private const string WrittenByMain =
        "VkFFU0lNRAACAAAABgAAAIwEAAAAAAAABmNvbmZpZwHYAAAAAAAAAFAAAAAAAAAACnBhcmFtZXRlcnMCKAEAAAAAAAA4AAAAAAAA" +
        "AA90cmFpbmVyLm9wdGlvbnMBCAIAAAAAAACfAAAAAAAAABB0cmFpbmVyLnBvc2l0aW9uA6gCAAAAAAAABAAAAAAAAAARb3B0aW1p" +
        "emVyLnN0YXRlLjACyAIAAAAAAAA4AAAAAAAAABFvcHRpbWl6ZXIuc3RhdGUuMQKoAwAAAAAAADgAAAAAAAAAAAAAaW5wdXQ9NApo" +
        "aWRkZW49MwphY3RpdmF0aW9uPVJlbHUKbGF0ZW50PTIKbGlrZWxpaG9vZD1CZXJub3VsbGkKaW5pdD1Vbmlmb3JtRmFuSW6UQv2+" +
        "sJFnvbaw5744SpO9/+Njvpcrg7q6gNI+u4DivjmVQD4f/T2+HBnpvn4P3rwAAAAAUKCNu9+HRLvgLYO8O1tlPAJ48D5Wb9I+r58N" +
        "Pz+6jb2WC3a6CMzCOiJyAb8NY6W7E6iNPa5oAD9gK9a8czoOPj/Rnrtcz4g7KtS8vuAPjL2jQi8/9dyFPhqNMj5x2Po+eFp1OvC2" +
        "oLpbkZU7ZkLxvUSjXr6H/IE+egLcPs8mmj7XIPG+wyPLvmD2Aj+Xfa69x6+OPmmrTz6krcI9VZ4dOwPfEDqj01c6kTKJOmJhdGNo" +
        "PTQKc2hhcmQ9NjQKb3B0aW1pemVyPUFkYW0KbHI9MC4wMDEKd2VpZ2h0X2RlY2F5PTAKc2VlZD0xCmVzdGltYXRvcj1BbmFseXRp" +
        "YwpzYW1wbGVzPTEKYmV0YT0xCndhcm11cD0wCmJpbmFyaXphdGlvbj1Ob25lCnRocmVzaG9sZD0wLjUKYmluYXJpemF0aW9uX3Nl" +
        "ZWQ9MAABAAAAAAAAAAAAAAAAAAAABQAAAAAAAAAFAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADfPIs5ScUXOmg5Zzp9l9M52egYO23u" +
        "hjn2nrs5obEdOgAAAABMn6A6LqouOwAAAAAMqOW5xqHlOQAAAACgWH45p26HuTq15LqRIay7AAAAAK+xcDmOiSE5AAAAABm+H7iX" +
        "0Nu4USy/O/awR7sb7lm8GoaTPPAZTjyAHa05kmTCu4vvSrzBRFM8YCYFPJFWprzTWgi75rPXvOPCzLzIuYo7qpldPPj1ZDugwqW7" +
        "Br2Iu0dS2ruGk6C6B1SkOywfIzv1RVe93mnRO7S7Jb2wtWA7AAAAAAAAAAAAAAAAAAAAALAwkDFxai4z2LJOMz/iMTJIsaU1rCKB" +
        "MiLV/TIa9KEzAAAAAL+Z2DOKd9Y1AAAAAAwH1DLQF0IzAAAAAEyjizGD2CYy0lNtN16m1jUAAAAAAz8ZMqGXUTEAAAAA1lcuLyKm" +
        "FDEaso81cQoENS+iojeAdZI3qRPrNvip+jf9PeE3mZVmNzKinjcqy843Gkp2N5K9ETZxYlw4lySEOP8X4TY143k3dz+uNvYRCDfq" +
        "72w2OiWeNtrrwzVEM6Y3hG5gOEM2bjm6mU04Rie4OD0aKDkFkhOc";

    /// <summary>The 20 rows of 4 values it was trained on.</summary>
    private const string TinyCsv =
        "0.238,0.544,0.370,0.604\n" +
        "0.626,0.066,0.013,0.837\n" +
        "0.259,0.234,0.996,0.470\n" +
        "0.836,0.476,0.639,0.151\n" +
        "0.635,0.868,0.523,0.741\n" +
        "0.671,0.064,0.758,0.591\n" +
        "0.301,0.031,0.866,0.473\n" +
        "0.719,0.879,0.714,0.921\n" +
        "0.395,0.801,0.445,0.936\n" +
        "0.879,0.097,0.136,0.217\n" +
        "0.965,0.436,0.627,0.301\n" +
        "0.507,0.386,0.351,0.585\n" +
        "0.584,0.904,0.682,0.929\n" +
        "0.856,0.991,0.671,0.163\n" +
        "0.861,0.965,0.905,0.569\n" +
        "0.714,0.211,0.832,0.574\n" +
        "0.285,0.063,0.854,0.990\n" +
        "0.089,0.801,0.410,0.151\n" +
        "0.294,0.769,0.873,0.044\n" +
        "0.615,0.045,0.718,0.331\n";

    private static (string Model, string Csv) WriteOldFixture()
    {
        string folder = TestData.TempFolder();
        string model = Path.Combine(folder, "old.vae"), csv = Path.Combine(folder, "tiny.csv");
        File.WriteAllBytes(model, Convert.FromBase64String(WrittenByMain));
        File.WriteAllText(csv, TinyCsv);
        return (model, csv);
    }

    [Fact]
    public void ACheckpointWrittenBeforeTheDataRecordLoadsEvaluatesAndResumes()
    {
        (string model, string csv) = WriteOldFixture();
        Checkpoint file = Checkpoint.Read(model);
        Assert.DoesNotContain("data", file.SectionNames);
        Assert.Null(ModelCheckpoint.LoadTrainingData(file));
        using (var loaded = ModelCheckpoint.LoadModel(file))
        {
            Assert.Equal((4, 2), (loaded.InputSize, loaded.LatentSize));
            Assert.Equal(new[] { 3 }, loaded.Config.HiddenSizes);
        }

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, CommandRunner.Run(["eval", "--model", model, "--data", csv, "--iw", "0"], stdout, stderr));
        Assert.Contains("over 20 examples", stdout.ToString());
        Assert.Equal("", stderr.ToString()); // nothing recorded, so nothing to warn about

        // Resumed by today's code: it carries on from epoch 2 and now records its data.
        string resumed = Path.Combine(Path.GetDirectoryName(model)!, "resumed.vae");
        File.Copy(model, resumed);
        Assert.Equal(0, CommandRunner.Run(["train", "--data", csv, "--resume", resumed, "--out", resumed, "--epochs", "2", "--threads", "1", "--quiet"], TextWriter.Null, stderr));
        Checkpoint after = Checkpoint.Read(resumed);
        Assert.Equal(2, after.Int64s("trainer.position")[0]);
        Assert.Equal(Path.GetFullPath(csv), ModelCheckpoint.LoadTrainingData(after)!.Source);
    }

    [Fact]
    public void TheRecordRoundTripsAndAMalformedOneIsNamed()
    {
        string path = Path.Combine(TestData.TempFolder(), "m.vae");
        var data = new TrainingData("fashion-mnist",
            new Dictionary<string, string> { ["train-images-idx3-ubyte"] = new string('a', 64), ["t10k-labels-idx1-ubyte"] = new string('b', 64) },
            new Binarization(BinarizationMode.Dynamic, 0.25f, 7), 60000, 784);
        using (var model = new Vae.Simd.Model.VariationalAutoencoder(new Vae.Simd.Model.VaeConfig { InputSize = 784, HiddenSizes = [4], LatentSize = 2 }, 1))
            ModelCheckpoint.Save(path, model, data: data);
        TrainingData read = ModelCheckpoint.LoadTrainingData(Checkpoint.Read(path))!;
        Assert.Equal((data.Source, data.Binarization, data.Examples, data.Features), (read.Source, read.Binarization, read.Examples, read.Features));
        Assert.True(read.SameFiles(data.FileSha256));
        Assert.False(read.SameFiles(new Dictionary<string, string> { ["train-images-idx3-ubyte"] = new string('a', 64) }));

        string bad = Path.Combine(Path.GetDirectoryName(path)!, "bad.vae");
        new CheckpointWriter().AddText("config", "x").AddText("data", "source=x\nexamples=many").Save(bad);
        var e = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.LoadTrainingData(Checkpoint.Read(bad)));
        Assert.Contains("bad.vae", e.Message);
    }
}
