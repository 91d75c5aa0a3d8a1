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
/// <item><c>pytorch-example</c> — one hidden layer and a Bernoulli (or continuous Bernoulli: the same tensors) decoder, the PyTorch example's <c>VAE</c>:
/// <c>fc1</c> (encoder hidden), <c>fc21</c> (μ head), <c>fc22</c> (log σ² head), <c>fc3</c> (decoder hidden), <c>fc4</c> (logits).</item>
/// <item><c>layered</c> — every other model: <c>encoder.{i}</c> (hidden, input side first), <c>encoder.mean</c>,
/// <c>encoder.logvar</c>, <c>decoder.{i}</c> (hidden, latent side first), then <c>decoder.logits</c> (Bernoulli and
/// continuous Bernoulli) or <c>decoder.mean</c> (Gaussian) with, for its variance, <c>decoder.logvar</c> (per-pixel
/// head), the tensor <c>decoder.shared_logvar</c> [1] (shared) or nothing (fixed: the variance is configuration).</item>
/// </list>
/// Every likelihood and variance mode the trainer has is exchangeable; the names are the layout's own.
/// </summary>
internal sealed class ModelLayers
{
    /// <summary>The scheme name of the PyTorch example's names.</summary>
    public const string PyTorchExampleScheme = "pytorch-example";

    /// <summary>The scheme name of the general names.</summary>
    public const string LayeredScheme = "layered";

    public ModelLayers(VaeConfig config, ParameterLayout layout)
    {
        Scheme = config.HiddenSizes.Count == 1 && config.Likelihood != Likelihood.Gaussian ? PyTorchExampleScheme : LayeredScheme;
        bool pytorch = Scheme == PyTorchExampleScheme;
        // The layered scheme's names are the layout's own layer names; the PyTorch example renames five layers.
        LinearLayer From(LayerParameters layer, string pytorchName, Activation activation) =>
            new(pytorch ? pytorchName : layer.Name, layer.Weight, layer.Bias, activation);

        EncoderHidden = [.. layout.EncoderHidden.Select(layer => From(layer, "fc1", config.Activation))];
        EncoderMean = From(layout.Mean, "fc21", Activation.None);
        EncoderLogVariance = From(layout.LogVariance, "fc22", Activation.None);
        DecoderHidden = [.. layout.DecoderHidden.Select(layer => From(layer, "fc3", config.Activation))];
        DecoderOutput = From(layout.Output, "fc4", Activation.None);
        if (layout.OutputLogVariance is { } logVariance) DecoderLogVariance = From(logVariance, "decoder.logvar", Activation.None);
        SharedLogVariance = layout.SharedLogVariance;
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

    /// <summary>The Gaussian decoder's per-pixel log σ² head; null for the other decoders.</summary>
    public LinearLayer? DecoderLogVariance { get; }

    /// <summary>A shared-variance Gaussian decoder's one learned log σ² (before the floor), named <c>decoder.shared_logvar</c>; else null.</summary>
    public ParameterSlice? SharedLogVariance { get; }

    /// <summary>Every layer: encoder hidden, μ, log σ², decoder hidden, output head(s).</summary>
    public IReadOnlyList<LinearLayer> All =>
        [.. EncoderHidden, EncoderMean, EncoderLogVariance, .. DecoderHidden, DecoderOutput, .. (DecoderLogVariance is { } lv ? [lv] : Array.Empty<LinearLayer>())];

    /// <summary>Every parameter tensor by its exported name and shape: each layer's <c>.weight</c> [out, in] and <c>.bias</c> [out], then a shared log σ² [1].</summary>
    public IEnumerable<(string Name, long[] Shape, ParameterSlice Slice)> Tensors
    {
        get
        {
            foreach (LinearLayer layer in All)
            {
                yield return ($"{layer.Name}.weight", [layer.Outputs, layer.Inputs], layer.Weight);
                yield return ($"{layer.Name}.bias", [layer.Outputs], layer.Bias);
            }
            if (SharedLogVariance is { } shared) yield return (shared.Name, [shared.Length], shared);
        }
    }
}
