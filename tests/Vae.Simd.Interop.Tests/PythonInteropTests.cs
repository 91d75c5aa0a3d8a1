using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Tests;

/// <summary>
/// A safetensors file written by a plain numpy script (scripts/numpy_vae.py, laid out as safetensors'
/// save_file does, without metadata, as a PyTorch state dict is saved) imports as the PyTorch example's VAE,
/// and its Encode equals the script's own forward pass.
/// </summary>
public class PythonInteropTests
{
    [NumpyTheory]
    [InlineData("F32")]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("F64")]
    public void FileWrittenByNumpyImportsAndEncodesAsNumpyDoes(string dtype)
    {
        string folder = TestModels.TempFolder();
        float[] x = TestModels.MnistRows();
        NpyFile.Write(Path.Combine(folder, "x.npy"), x, 32, 784);
        string script = Path.Combine(AppContext.BaseDirectory, "scripts", "numpy_vae.py");
        (int code, string output) = Python.Run(Python.Interpreter!, [script, folder, "--seed", "7", "--dtype", dtype, "--x", Path.Combine(folder, "x.npy")]);
        Assert.True(code == 0, output);

        string file = Path.Combine(folder, "model.safetensors");
        using VariationalAutoencoder model = SafetensorsModel.Read(file);
        Assert.Equal(new VaeConfig { Activation = Activation.Relu, Likelihood = Likelihood.Bernoulli }, model.Config); // 784-400-20, from the shapes

        var mean = new float[32 * 20];
        var logVariance = new float[32 * 20];
        model.Encode(x, mean, logVariance);
        double meanError = TestModels.RelativeError(mean, NpyFile.Read(Path.Combine(folder, "mean.npy")).Values);
        double logVarianceError = TestModels.RelativeError(logVariance, NpyFile.Read(Path.Combine(folder, "logvar.npy")).Values);
        Assert.True(meanError <= 1e-5, $"mean differs from numpy by {meanError:E3} relative");
        Assert.True(logVarianceError <= 1e-5, $"log variance differs from numpy by {logVarianceError:E3} relative");

        // Our export of the imported model reads back bitwise; for F32 its data section is numpy's, byte for byte.
        byte[] exported = SafetensorsTests.Export(model);
        using VariationalAutoencoder again = SafetensorsModel.Read(exported, "again.safetensors");
        Assert.Equal(SafetensorsTests.Bits(model.Parameters), SafetensorsTests.Bits(again.Parameters));
        if (dtype == "F32") Assert.Equal(SafetensorsTests.Split(File.ReadAllBytes(file)).Data, SafetensorsTests.Split(exported).Data);
    }

    [TorchFact]
    public void PyTorchExampleModuleLoadsOurExportStrictlyAndEncodesAsWeDo()
    {
        string folder = TestModels.TempFolder();
        using VariationalAutoencoder model = TestModels.TrainedOnMnist(new VaeConfig());
        SafetensorsModel.Write(model, Path.Combine(folder, "model.safetensors"));
        float[] x = TestModels.MnistRows();
        NpyFile.Write(Path.Combine(folder, "x.npy"), x, 32, 784);
        string script = Path.Combine(AppContext.BaseDirectory, "scripts", "torch_load.py");
        (int code, string output) = Python.Run(Python.TorchInterpreter!, [script, Path.Combine(folder, "model.safetensors"), Path.Combine(folder, "x.npy"), Path.Combine(folder, "z.npy")]);
        Assert.True(code == 0, output);

        var mean = new float[32 * 20];
        var logVariance = new float[32 * 20];
        model.Encode(x, mean, logVariance);
        float[] torch = NpyFile.Read(Path.Combine(folder, "z.npy")).Values;
        float[] torchMean = [.. Enumerable.Range(0, 32).SelectMany(r => torch.AsSpan(r * 40, 20).ToArray())];
        float[] torchLogVariance = [.. Enumerable.Range(0, 32).SelectMany(r => torch.AsSpan(r * 40 + 20, 20).ToArray())];
        Assert.True(TestModels.RelativeError(torchMean, mean) <= 1e-5);
        Assert.True(TestModels.RelativeError(torchLogVariance, logVariance) <= 1e-5);
    }
}
