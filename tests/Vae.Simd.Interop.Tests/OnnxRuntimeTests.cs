using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Vae.Simd.Autodiff;
using Vae.Simd.Interop.Onnx;
using Vae.Simd.Model;
using Xunit.Abstractions;

namespace Vae.Simd.Interop.Tests;

/// <summary>
/// Every exported encoder and decoder, run by the real ONNX Runtime, agrees with the library's
/// <see cref="VariationalAutoencoder.Encode"/> / <see cref="VariationalAutoencoder.Decode"/> (and, for the
/// heads the library does not expose, a double-precision forward pass) within 1e-5 relative.
/// </summary>
public class OnnxRuntimeTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(TestModels.Architectures), MemberType = typeof(TestModels))]
    public void EveryArchitectureRunsInOnnxRuntimeAsInTheLibrary(Activation activation, Likelihood likelihood, int layers)
    {
        using VariationalAutoencoder model = TestModels.Random(activation, likelihood, layers, seed: (ulong)(layers * 10 + (int)activation));
        foreach (int rows in new[] { 1, 7 }) // the batch dimension is dynamic
        {
            CheckEncoder(model, TestModels.Uniform(rows * model.InputSize, seed: rows, lo: -1, hi: 2), rows);
            CheckDecoder(model, TestModels.Uniform(rows * model.LatentSize, seed: rows + 100, lo: -3, hi: 3), rows);
        }
    }

    [Theory]
    [InlineData(Likelihood.Bernoulli)]
    [InlineData(Likelihood.Gaussian)]
    public void TrainedMnistModelOnRealImagesRunsInOnnxRuntimeAsInTheLibrary(Likelihood likelihood)
    {
        using VariationalAutoencoder model = TestModels.TrainedOnMnist(new VaeConfig { Likelihood = likelihood });
        float[] x = TestModels.MnistRows();
        var mean = new float[32 * model.LatentSize];
        var logVariance = new float[32 * model.LatentSize];
        model.Encode(x, mean, logVariance);
        CheckEncoder(model, x, 32);
        CheckDecoder(model, mean, 32); // the codes of real images
    }

    [Fact]
    public void GraphDeclaresOpsetInputsAndOutputs()
    {
        using VariationalAutoencoder model = TestModels.Random(Activation.Tanh, Likelihood.Bernoulli, 2, seed: 5);
        using InferenceSession encoder = Session(model, OnnxPart.Encoder);
        Assert.Equal(["x"], encoder.InputMetadata.Keys);
        Assert.Equal(["mean", "log_variance"], encoder.OutputMetadata.Keys);
        Assert.Equal([-1, model.InputSize], encoder.InputMetadata["x"].Dimensions);
        Assert.Equal(["batch", ""], encoder.InputMetadata["x"].SymbolicDimensions);
        Assert.Equal(17, OnnxExport.OpsetVersion);
        Assert.Equal("encoder", encoder.ModelMetadata.CustomMetadataMap["vae.part"]);
        Assert.Contains("hidden=17,9", encoder.ModelMetadata.CustomMetadataMap["vae.config"]);
        Assert.Equal("Vae.Simd", encoder.ModelMetadata.ProducerName);
        using InferenceSession decoder = Session(model, OnnxPart.Decoder);
        Assert.Equal(["logits", "probabilities"], decoder.OutputMetadata.Keys);
    }

    private void CheckEncoder(VariationalAutoencoder model, float[] x, int rows)
    {
        var mean = new float[rows * model.LatentSize];
        var logVariance = new float[rows * model.LatentSize];
        model.Encode(x, mean, logVariance);
        Dictionary<string, float[]> outputs = Run(model, OnnxPart.Encoder, "x", x, rows, model.InputSize);
        Expect("encoder mean", outputs["mean"], mean);
        Expect("encoder log_variance", outputs["log_variance"], logVariance);
    }

    private void CheckDecoder(VariationalAutoencoder model, float[] z, int rows)
    {
        var decoded = new float[rows * model.InputSize];
        model.Decode(z, decoded);
        Dictionary<string, float[]> outputs = Run(model, OnnxPart.Decoder, "z", z, rows, model.LatentSize);
        (double[] first, double[]? logVariance) = TestModels.DecoderHeads(model, z, rows);
        if (model.Config.Likelihood == Likelihood.Gaussian)
        {
            Expect("decoder mean", outputs["mean"], decoded);
            Expect("decoder log_variance", outputs["log_variance"], TestModels.ToFloats(logVariance!));
        }
        else
        {
            Expect("decoder probabilities", outputs["probabilities"], decoded);
            Expect("decoder logits", outputs["logits"], TestModels.ToFloats(first));
        }
    }

    private void Expect(string what, float[] actual, float[] expected)
    {
        double error = TestModels.RelativeError(actual, expected);
        output.WriteLine($"{what}: relative error {error:E2}");
        Assert.True(error <= Tolerance, $"{what}: ONNX Runtime differs from the library by {error:E3} relative (limit {Tolerance:E0}).");
    }

    private static InferenceSession Session(VariationalAutoencoder model, OnnxPart part)
    {
        using var stream = new MemoryStream();
        OnnxExport.Write(model, part, stream);
        return new InferenceSession(stream.ToArray());
    }

    private static Dictionary<string, float[]> Run(VariationalAutoencoder model, OnnxPart part, string inputName, float[] input, int rows, int columns)
    {
        using InferenceSession session = Session(model, part);
        var tensor = new DenseTensor<float>(input, [rows, columns]);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
        return results.ToDictionary(r => r.Name, r =>
        {
            Tensor<float> t = r.AsTensor<float>();
            Assert.Equal([rows, part == OnnxPart.Encoder ? model.LatentSize : model.InputSize], t.Dimensions.ToArray());
            return t.ToArray();
        });
    }
}
