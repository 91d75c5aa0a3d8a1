using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli;
using Vae.Simd.Data;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Tests;

/// <summary><c>vae export</c>, <c>vae import</c> and <c>vae train --init-from</c>.</summary>
public class CliInteropTests
{
    private readonly string _folder = TestModels.TempFolder();

    private string At(string name) => Path.Combine(_folder, name);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private VariationalAutoencoder SavedModel(string name, Likelihood likelihood = Likelihood.Bernoulli)
    {
        VariationalAutoencoder model = TestModels.Random(Activation.Tanh, likelihood, 2, seed: 21);
        ModelCheckpoint.Save(At(name), model);
        return model;
    }

    [Theory]
    [InlineData(Likelihood.ContinuousBernoulli, GaussianVariance.PerPixel)]
    [InlineData(Likelihood.Gaussian, GaussianVariance.Shared)]
    [InlineData(Likelihood.Gaussian, GaussianVariance.Fixed)]
    public void EveryDecoderExportsToBothFormatsAndImportsBack(Likelihood likelihood, GaussianVariance variance)
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 7, HiddenSizes = [5], LatentSize = 2, Likelihood = likelihood, GaussianVariance = variance, FixedVariance = 0.02f }, 1);
        ModelCheckpoint.Save(At("m.vae"), model);
        var result = Run("export", "--model", At("m.vae"), "--out", At("m.safetensors"));
        Assert.True(result.Code == 0, result.Err);
        result = Run("export", "--model", At("m.vae"), "--part", "decoder", "--out", At("dec.onnx"));
        Assert.True(result.Code == 0, result.Err);
        using var session = new InferenceSession(At("dec.onnx"));
        Assert.Contains(likelihood == Likelihood.Gaussian ? "log_variance" : "probabilities", session.OutputMetadata.Keys);
        result = Run("import", "--from", At("m.safetensors"), "--out", At("back.vae"));
        Assert.True(result.Code == 0, result.Err);
        Assert.Equal("", result.Err); // the metadata says everything: no note
        using VariationalAutoencoder back = ModelCheckpoint.Load(At("back.vae"));
        Assert.Equal(model.Config, back.Config);
        Assert.Equal(SafetensorsTests.Bits(model.Parameters), SafetensorsTests.Bits(back.Parameters));
    }

    [Fact]
    public void ImportOfAStateDictWithoutMetadataTakesTheActivationAndLikelihoodFromFlags()
    {
        using VariationalAutoencoder model = TestModels.Random(Activation.Tanh, Likelihood.ContinuousBernoulli, 1, seed: 4);
        File.WriteAllBytes(At("state_dict.safetensors"), SafetensorsTests.WithoutMetadata(SafetensorsTests.Export(model)));

        var result = Run("import", "--from", At("state_dict.safetensors"), "--activation", "tanh", "--likelihood", "continuous-bernoulli", "--out", At("m.vae"));
        Assert.True(result.Code == 0, result.Err);
        using (VariationalAutoencoder imported = ModelCheckpoint.Load(At("m.vae")))
        {
            Assert.Equal(model.Config with { Initialization = imported.Config.Initialization }, imported.Config);
            Assert.Equal(SafetensorsTests.Bits(model.Parameters), SafetensorsTests.Bits(imported.Parameters));
        }

        // Without flags it is read as the PyTorch example's ReLU Bernoulli VAE, and a note says so and names the flags.
        result = Run("import", "--from", At("state_dict.safetensors"), "--out", At("guessed.vae"));
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("does not record its architecture", result.Err);
        Assert.Contains("--activation", result.Err);
        Assert.Contains("relu bernoulli", result.Out);

        // Flags the tensors contradict: exit 1 naming the problem, nothing written.
        result = Run("import", "--from", At("state_dict.safetensors"), "--likelihood", "gaussian", "--out", At("x.vae"));
        Assert.Equal(1, result.Code);
        Assert.Contains("not the Gaussian one asked for", result.Err);
        Assert.False(File.Exists(At("x.vae")));
    }

    [Fact]
    public void ImportFlagsThatDisagreeWithTheMetadataExitWithOneNamingTheSetting()
    {
        using VariationalAutoencoder model = SavedModel("m.vae"); // tanh
        SafetensorsModel.Write(model, At("m.safetensors"));
        var result = Run("import", "--from", At("m.safetensors"), "--activation", "relu", "--out", At("x.vae"));
        Assert.Equal(1, result.Code);
        Assert.Contains("records activation Tanh, but Relu was asked for", result.Err);
        Assert.False(File.Exists(At("x.vae")));
        Assert.Equal(2, Run("import", "--from", At("m.safetensors"), "--activation", "sigmoid", "--out", At("x.vae")).Code);
        Assert.Equal(0, Run("import", "--from", At("m.safetensors"), "--activation", "tanh", "--out", At("x.vae")).Code);
    }

    [Fact]
    public void ExportedOnnxEncoderRunsInOnnxRuntime()
    {
        using VariationalAutoencoder model = SavedModel("m.vae");
        var result = Run("export", "--model", At("m.vae"), "--format", "onnx", "--part", "encoder", "--out", At("enc.onnx"));
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("opset 17", result.Out);
        float[] x = TestModels.Uniform(3 * model.InputSize, seed: 1);
        var mean = new float[3 * model.LatentSize];
        model.Encode(x, mean, new float[mean.Length]);
        using var session = new InferenceSession(At("enc.onnx"));
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [3, model.InputSize]))]);
        Assert.True(TestModels.RelativeError(outputs.First(o => o.Name == "mean").AsTensor<float>().ToArray(), mean) <= 1e-5);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp-*")); // written atomically, nothing left over
    }

    [Fact]
    public void SafetensorsExportThenImportGivesTheSameCheckpointModel()
    {
        using VariationalAutoencoder model = SavedModel("m.vae", Likelihood.Gaussian);
        Assert.Equal(0, Run("export", "--model", At("m.vae"), "--out", At("m.safetensors")).Code); // format from the extension
        var result = Run("import", "--from", At("m.safetensors"), "--out", At("back.vae"));
        Assert.True(result.Code == 0, result.Err);
        using VariationalAutoencoder back = ModelCheckpoint.Load(At("back.vae"));
        Assert.Equal(model.Config, back.Config);
        Assert.Equal(SafetensorsTests.Bits(model.Parameters), SafetensorsTests.Bits(back.Parameters));
    }

    [Theory]
    [InlineData("--format", "onnx")]                       // no --part
    [InlineData("--format", "safetensors", "--part", "encoder")]
    [InlineData("--part", "encoder")]                      // .bin says no format
    [InlineData("--format", "tflite", "--part", "encoder")]
    public void ExportUsageErrorsExitWithTwo(params string[] extra)
    {
        using VariationalAutoencoder model = SavedModel("m.vae");
        var result = Run(["export", "--model", At("m.vae"), "--out", At("x.bin"), .. extra]);
        Assert.Equal(2, result.Code);
        Assert.StartsWith("vae export: ", result.Err);
        Assert.False(File.Exists(At("x.bin")));
    }

    [Fact]
    public void ImportOfABadFileExitsWithOneNamingTheTensorAndWritesNothing()
    {
        byte[] header = "{\"fc1.weight\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}"u8.ToArray();
        File.WriteAllBytes(At("bad.safetensors"), [.. BitConverter.GetBytes((long)header.Length), .. header, 0]);
        var result = Run("import", "--from", At("bad.safetensors"), "--out", At("x.vae"));
        Assert.Equal(1, result.Code);
        Assert.Contains("tensor 'fc1.weight': dtype 'I8' is not supported", result.Err);
        Assert.False(File.Exists(At("x.vae")));
    }

    [Fact]
    public void TrainInitFromStartsFromTheFilesWeights()
    {
        NpyFile.Write(At("data.npy"), TestModels.Uniform(40 * 12, seed: 5), 40, 12);
        using var init = new VariationalAutoencoder(new VaeConfig { InputSize = 12, HiddenSizes = [7], LatentSize = 3 }, seed: 99);
        SafetensorsModel.Write(init, At("init.safetensors"));
        string[] common = ["train", "--data", At("data.npy"), "--hidden", "7", "--latent", "3", "--epochs", "1", "--batch", "8", "--threads", "1",
            "--optimizer", "sgd", "--lr", "1e-12", "--metrics", "none", "--sample-grid", "none", "--curve", "none", "--quiet"];
        var result = Run([.. common, "--init-from", At("init.safetensors"), "--out", At("from-init.vae")]);
        Assert.True(result.Code == 0, result.Err);
        Assert.Equal(0, Run([.. common, "--out", At("fresh.vae")]).Code);
        using VariationalAutoencoder fromInit = ModelCheckpoint.Load(At("from-init.vae"));
        using VariationalAutoencoder fresh = ModelCheckpoint.Load(At("fresh.vae"));
        // A learning rate of 1e-12 leaves the weights where they started: the file's, not the seed's.
        double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) { double d = 0; for (int i = 0; i < a.Length; i++) d = Math.Max(d, Math.Abs(a[i] - b[i])); return d; }
        Assert.True(Distance(fromInit.Parameters, init.Parameters) < 1e-6);
        Assert.True(Distance(fresh.Parameters, init.Parameters) > 0.01);

        var mismatch = Run([.. common, "--latent", "4", "--init-from", At("init.safetensors"), "--out", At("bad.vae")]);
        Assert.Equal(1, mismatch.Code);
        Assert.Contains("holds a 12-7-3", mismatch.Err);
        Assert.Equal(2, Run([.. common, "--init-from", At("init.safetensors"), "--resume", At("fresh.vae"), "--out", At("x.vae")]).Code);
    }
}
