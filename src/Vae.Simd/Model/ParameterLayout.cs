using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

/// <summary>One parameter tensor's place in the flat buffer.</summary>
public readonly record struct ParameterSlice(string Name, TensorShape Shape, int Offset)
{
    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;
}

/// <summary>One affine layer y = x·Wᵀ + b: its weight [outputs × inputs] (the PyTorch layout) and bias [outputs].</summary>
public sealed record LayerParameters(string Name, ParameterSlice Weight, ParameterSlice Bias)
{
    /// <summary>Width of the layer's input.</summary>
    public int Inputs => Weight.Shape.Columns;

    /// <summary>Width of the layer's output.</summary>
    public int Outputs => Weight.Shape.Rows;

    /// <summary>Position of <see cref="Weight"/> in <see cref="ParameterLayout.Slices"/> (the bias follows it).</summary>
    internal int WeightIndex { get; init; }
}

/// <summary>
/// Where every parameter tensor lives in ONE contiguous buffer (llm.c style): the optimizer and the
/// reduction of shard gradients are single loops over it, and gradient buffers share the layout.
/// This type is the one place that knows which slice is which layer: the graph builder, the trainer's
/// benchmark and exporters read the layers by name (<see cref="EncoderHidden"/>, <see cref="Mean"/>, …).
/// </summary>
/// <remarks>
/// Buffer order: encoder hidden layers, μ head, log σ² head, decoder hidden layers, output head, then,
/// for a Gaussian decoder, its log-variance head (per-pixel) or its one shared log variance.
/// Slice names: <c>encoder.{i}</c>, <c>encoder.mean</c>, <c>encoder.logvar</c>, <c>decoder.{i}</c>,
/// <c>decoder.logits</c> (Bernoulli and continuous Bernoulli) or <c>decoder.mean</c> (Gaussian),
/// <c>decoder.logvar</c> (Gaussian, per-pixel), each with <c>.weight</c> and <c>.bias</c>;
/// <c>decoder.shared_logvar</c> [1] (Gaussian, shared).
/// </remarks>
public sealed class ParameterLayout
{
    private readonly List<ParameterSlice> _slices = [];
    private readonly List<LayerParameters> _layers = [];

    /// <summary>The layout of a model with this configuration.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    public ParameterLayout(VaeConfig config) : this(config, validate: true) { }

    internal ParameterLayout(VaeConfig config, bool validate)
    {
        if (validate) config.Validate();
        IReadOnlyList<int> hidden = config.HiddenSizes;
        long offset = 0;
        int previous = config.InputSize;
        var encoder = new List<LayerParameters>();
        for (int i = 0; i < hidden.Count; i++) { encoder.Add(Layer($"encoder.{i}", hidden[i], previous, ref offset)); previous = hidden[i]; }
        Mean = Layer("encoder.mean", config.LatentSize, previous, ref offset);
        LogVariance = Layer("encoder.logvar", config.LatentSize, previous, ref offset);
        previous = config.LatentSize;
        var decoder = new List<LayerParameters>();
        for (int i = hidden.Count - 1; i >= 0; i--) { decoder.Add(Layer($"decoder.{hidden.Count - 1 - i}", hidden[i], previous, ref offset)); previous = hidden[i]; }
        Output = Layer(config.Likelihood == Likelihood.Gaussian ? "decoder.mean" : "decoder.logits", config.InputSize, previous, ref offset);
        if (config.Likelihood == Likelihood.Gaussian && config.GaussianVariance == GaussianVariance.PerPixel)
            OutputLogVariance = Layer("decoder.logvar", config.InputSize, previous, ref offset);
        if (config.Likelihood == Likelihood.Gaussian && config.GaussianVariance == GaussianVariance.Shared)
            SharedLogVariance = Slice("decoder.shared_logvar", TensorShape.Vector(1), ref offset);
        EncoderHidden = encoder;
        DecoderHidden = decoder;
        TotalLength = offset;
    }

    /// <summary>Every parameter tensor, in buffer order.</summary>
    public IReadOnlyList<ParameterSlice> Slices => _slices;

    /// <summary>Every affine layer, in buffer order (which is also the order of a forward pass).</summary>
    public IReadOnlyList<LayerParameters> Layers => _layers;

    /// <summary>The encoder's hidden layers, first to last.</summary>
    public IReadOnlyList<LayerParameters> EncoderHidden { get; }

    /// <summary>The encoder's head for the mean μ of q(z|x).</summary>
    public LayerParameters Mean { get; }

    /// <summary>The encoder's head for the log variance log σ² of q(z|x).</summary>
    public LayerParameters LogVariance { get; }

    /// <summary>The decoder's hidden layers, first to last (widths mirror the encoder's).</summary>
    public IReadOnlyList<LayerParameters> DecoderHidden { get; }

    /// <summary>The decoder's output head: logits (Bernoulli, continuous Bernoulli) or the Gaussian's mean.</summary>
    public LayerParameters Output { get; }

    /// <summary>The Gaussian decoder's per-pixel log-variance head (<see cref="GaussianVariance.PerPixel"/>), else null.</summary>
    public LayerParameters? OutputLogVariance { get; }

    /// <summary>The Gaussian decoder's one learned log variance (<see cref="GaussianVariance.Shared"/>), else null.</summary>
    public ParameterSlice? SharedLogVariance { get; }

    /// <summary>The buffer length.</summary>
    public long TotalLength { get; }

    /// <summary>Position of the slice named <paramref name="name"/> in <see cref="Slices"/>, or −1.</summary>
    internal int IndexOf(string name) => _slices.FindIndex(s => s.Name == name);

    /// <summary>The slice with this name.</summary>
    /// <exception cref="ArgumentException">No slice has this name.</exception>
    public ParameterSlice this[string name] => _slices.Find(s => s.Name == name) is { Name: not null } s
        ? s : throw new ArgumentException($"No parameter named '{name}'.", nameof(name));

    private LayerParameters Layer(string name, int outputs, int inputs, ref long offset)
    {
        int weightIndex = _slices.Count;
        ParameterSlice weight = Slice($"{name}.weight", TensorShape.Matrix(outputs, inputs), ref offset);
        ParameterSlice bias = Slice($"{name}.bias", TensorShape.Vector(outputs), ref offset);
        var layer = new LayerParameters(name, weight, bias) { WeightIndex = weightIndex };
        _layers.Add(layer);
        return layer;
    }

    private ParameterSlice Slice(string name, TensorShape shape, ref long offset)
    {
        // Offsets beyond an array are clamped; VaeConfig.Validate refuses such a model by TotalLength.
        var slice = new ParameterSlice(name, shape, (int)Math.Min(offset, int.MaxValue));
        _slices.Add(slice);
        offset += shape.Length;
        return slice;
    }
}
