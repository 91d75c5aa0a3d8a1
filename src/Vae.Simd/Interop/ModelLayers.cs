using Vae.Simd.Autodiff;
using Vae.Simd.Model;

namespace Vae.Simd.Interop;

/// <summary>
/// One affine layer y = x·Wᵀ + b (W is [outputs × inputs], PyTorch's order) and the activation after it.
/// <see cref="Name"/> is the layer's name in exported files: tensors <c>{Name}.weight</c> and <c>{Name}.bias</c>.
/// </summary>
internal readonly record struct LinearLayer(string Name, ParameterSlice Weight, ParameterSlice Bias, Activation Activation)
{
    public int Outputs => Weight.Shape.Rows;
    public int Inputs => Weight.Shape.Columns;
}

/// <summary>
/// The model's layers as the exchange formats see them, with their names in exported files. This is the
/// one place that reads the model's structure for ONNX and safetensors (through
/// <see cref="ParameterLayout"/>'s public names) and the one place that defines the naming schemes:
/// <list type="bullet">
/// <item><c>pytorch-example</c> — one hidden layer and a Bernoulli decoder, the PyTorch example's <c>VAE</c>:
/// <c>fc1</c> (encoder hidden), <c>fc21</c> (μ head), <c>fc22</c> (log σ² head), <c>fc3</c> (decoder hidden), <c>fc4</c> (logits).</item>
/// <item><c>layered</c> — every other model: <c>encoder.{i}</c> (hidden, input side first), <c>encoder.mean</c>,
/// <c>encoder.logvar</c>, <c>decoder.{i}</c> (hidden, latent side first), then <c>decoder.logits</c> (Bernoulli)
/// or <c>decoder.mean</c> and <c>decoder.logvar</c> (Gaussian).</item>
/// </list>
/// </summary>
internal sealed class ModelLayers
{
    /// <summary>The scheme name of the PyTorch example's names.</summary>
    public const string PyTorchExampleScheme = "pytorch-example";

    /// <summary>The scheme name of the general names.</summary>
    public const string LayeredScheme = "layered";

    public ModelLayers(VaeConfig config, ParameterLayout layout)
    {
        int hidden = config.HiddenSizes.Count;
        Scheme = hidden == 1 && config.Likelihood == Likelihood.Bernoulli ? PyTorchExampleScheme : LayeredScheme;
        bool pytorch = Scheme == PyTorchExampleScheme;
        LinearLayer Layer(string layoutName, string fileName, Activation activation) =>
            new(fileName, layout[$"{layoutName}.weight"], layout[$"{layoutName}.bias"], activation);

        EncoderHidden = [.. Enumerable.Range(0, hidden).Select(i => Layer($"encoder.{i}", pytorch ? "fc1" : $"encoder.{i}", config.Activation))];
        EncoderMean = Layer("encoder.mean", pytorch ? "fc21" : "encoder.mean", Activation.None);
        EncoderLogVariance = Layer("encoder.logvar", pytorch ? "fc22" : "encoder.logvar", Activation.None);
        DecoderHidden = [.. Enumerable.Range(0, hidden).Select(i => Layer($"decoder.{i}", pytorch ? "fc3" : $"decoder.{i}", config.Activation))];
        if (config.Likelihood == Likelihood.Bernoulli) DecoderOutput = Layer("decoder.logits", pytorch ? "fc4" : "decoder.logits", Activation.None);
        else if (config.Likelihood == Likelihood.Gaussian)
        {
            DecoderOutput = Layer("decoder.mean", "decoder.mean", Activation.None);
            DecoderLogVariance = Layer("decoder.logvar", "decoder.logvar", Activation.None);
        }
        else throw new NotSupportedException($"Export and import of a {config.Likelihood} decoder are not supported.");
    }

    /// <summary><see cref="PyTorchExampleScheme"/> or <see cref="LayeredScheme"/>.</summary>
    public string Scheme { get; }

    /// <summary>The encoder's hidden layers, input side first.</summary>
    public IReadOnlyList<LinearLayer> EncoderHidden { get; }

    /// <summary>The μ head of q(z|x).</summary>
    public LinearLayer EncoderMean { get; }

    /// <summary>The log σ² head of q(z|x).</summary>
    public LinearLayer EncoderLogVariance { get; }

    /// <summary>The decoder's hidden layers, latent side first.</summary>
    public IReadOnlyList<LinearLayer> DecoderHidden { get; }

    /// <summary>The Bernoulli logits, or the Gaussian's mean.</summary>
    public LinearLayer DecoderOutput { get; }

    /// <summary>The Gaussian decoder's log σ² head; null for a Bernoulli decoder.</summary>
    public LinearLayer? DecoderLogVariance { get; }

    /// <summary>Every layer: encoder hidden, μ, log σ², decoder hidden, output head(s).</summary>
    public IReadOnlyList<LinearLayer> All =>
        [.. EncoderHidden, EncoderMean, EncoderLogVariance, .. DecoderHidden, DecoderOutput, .. (DecoderLogVariance is { } lv ? [lv] : Array.Empty<LinearLayer>())];
}
