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
    public void EveryArchitectureRunsInOnnxRuntimeAsInTheLibrary(Activation activation, Likelihood likelihood, GaussianVariance variance, int layers)
    {
        using VariationalAutoencoder model = TestModels.Random(activation, likelihood, layers, seed: (ulong)(layers * 10 + (int)activation), variance);
        foreach (int rows in new[] { 1, 7 }) // the batch dimension is dynamic
        {
            CheckEncoder(model, TestModels.Uniform(rows * model.InputSize, seed: rows, lo: -1, hi: 2), rows);
            CheckDecoder(model, TestModels.Uniform(rows * model.LatentSize, seed: rows + 100, lo: -3, hi: 3), rows);
        }
    }

    [Theory]
    [InlineData(Likelihood.Bernoulli, GaussianVariance.PerPixel)]
    [InlineData(Likelihood.ContinuousBernoulli, GaussianVariance.PerPixel)]
    [InlineData(Likelihood.Gaussian, GaussianVariance.PerPixel)]
    [InlineData(Likelihood.Gaussian, GaussianVariance.Shared)]
    [InlineData(Likelihood.Gaussian, GaussianVariance.Fixed)]
    public void TrainedMnistModelOnRealImagesRunsInOnnxRuntimeAsInTheLibrary(Likelihood likelihood, GaussianVariance variance)
    {
        using VariationalAutoencoder model = TestModels.TrainedOnMnist(new VaeConfig { Likelihood = likelihood, GaussianVariance = variance });
        float[] x = TestModels.MnistRows();
        var mean = new float[32 * model.LatentSize];
        var logVariance = new float[32 * model.LatentSize];
        model.Encode(x, mean, logVariance);
        CheckEncoder(model, x, 32);
        CheckDecoder(model, mean, 32); // the codes of real images
    }

    [Theory]
    [InlineData(GaussianVariance.PerPixel, 0f)]
    [InlineData(GaussianVariance.Shared, 0f)]
    [InlineData(GaussianVariance.Shared, 0.5f)] // a floor far above the learned variance: the output is the floor's
    public void GaussianLogVarianceWithoutOrWithAHighFloorRunsInOnnxRuntimeAsInTheLibrary(GaussianVariance variance, float minVariance)
    {
        using VariationalAutoencoder model = TestModels.Random(Activation.Relu, Likelihood.Gaussian, 2, seed: 31, variance, minVariance);
        CheckDecoder(model, TestModels.Uniform(6 * model.LatentSize, seed: 4, lo: -3, hi: 3), 6);
    }

    [Fact]
    public void ContinuousBernoulliMeanIsRightOnBothSidesOfTheSeriesBound()
    {
        // Logits from −40 to 40 including the series region |l| < ½, exactly ±½, and 0.
        using VariationalAutoencoder model = TestModels.Random(Activation.Tanh, Likelihood.ContinuousBernoulli, 1, seed: 8);
        Span<float> p = model.Parameters;
        ParameterSlice w = model.Layout["decoder.logits.weight"], b = model.Layout["decoder.logits.bias"];
        p.Slice(w.Offset, w.Length).Clear(); // the logits are the biases, whatever z is
        float[] logits = [.. Enumerable.Range(0, model.InputSize).Select(i => i switch { 0 => 0f, 1 => 0.5f, 2 => -0.5f, 3 => 0.4999f, _ => (i - 12) * (i % 2 == 0 ? 0.07f : 3.3f) })];
        logits.CopyTo(p.Slice(b.Offset, b.Length));
        float[] z = TestModels.Uniform(2 * model.LatentSize, seed: 2);
        Dictionary<string, float[]> outputs = Run(model, OnnxPart.Decoder, "z", z, 2, model.LatentSize);
        float[] textbook = [.. Enumerable.Range(0, 2).SelectMany(_ => logits.Select(l => (float)TestModels.ContinuousBernoulliMean(l)))];
        Expect("continuous Bernoulli mean vs its textbook form", outputs["mean"], textbook);
        var decoded = new float[2 * model.InputSize];
        model.Decode(z, decoded);
        Expect("continuous Bernoulli mean vs the library", outputs["mean"], decoded);
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
        using VariationalAutoencoder continuous = TestModels.Random(Activation.Tanh, Likelihood.ContinuousBernoulli, 1, seed: 5);
        using InferenceSession continuousDecoder = Session(continuous, OnnxPart.Decoder);
        Assert.Equal(["logits", "probabilities", "mean"], continuousDecoder.OutputMetadata.Keys);
        foreach (GaussianVariance variance in Enum.GetValues<GaussianVariance>())
        {
            using VariationalAutoencoder gaussian = TestModels.Random(Activation.Tanh, Likelihood.Gaussian, 1, seed: 5, variance);
            using InferenceSession gaussianDecoder = Session(gaussian, OnnxPart.Decoder);
            Assert.Equal(["mean", "log_variance"], gaussianDecoder.OutputMetadata.Keys);
            Assert.Equal([-1, gaussian.InputSize], gaussianDecoder.OutputMetadata["log_variance"].Dimensions);
        }
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
        else if (model.Config.Likelihood == Likelihood.ContinuousBernoulli)
        {
            Expect("decoder mean", outputs["mean"], decoded);
            Expect("decoder logits", outputs["logits"], TestModels.ToFloats(first));
            Expect("decoder probabilities (λ)", outputs["probabilities"], [.. first.Select(l => (float)TestModels.Sigmoid(l))]);
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
