using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

/// <summary>One parameter tensor's place in the flat buffer.</summary>
public readonly record struct ParameterSlice(string Name, TensorShape Shape, int Offset)
{
    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;
}

/// <summary>
/// Where every parameter tensor lives in ONE contiguous buffer (llm.c style): the optimizer and the
/// reduction of shard gradients are single loops over it, and gradient buffers share the layout.
/// Order: encoder layers, μ head, log σ² head, decoder layers, output head(s).
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<ParameterSlice> _slices = [];

    /// <summary>The layout of a model with this configuration.</summary>
    public ParameterLayout(VaeConfig config) : this(config, validate: true) { }

    internal ParameterLayout(VaeConfig config, bool validate)
    {
        if (validate) config.Validate();
        IReadOnlyList<int> hidden = config.HiddenSizes;
        long offset = 0;
        void Layer(string name, int outputs, int inputs)
        {
            _slices.Add(new ParameterSlice($"{name}.weight", TensorShape.Matrix(outputs, inputs), (int)Math.Min(offset, int.MaxValue)));
            offset += (long)outputs * inputs;
            _slices.Add(new ParameterSlice($"{name}.bias", TensorShape.Vector(outputs), (int)Math.Min(offset, int.MaxValue)));
            offset += outputs;
        }
        int previous = config.InputSize;
        for (int i = 0; i < hidden.Count; i++) { Layer($"encoder.{i}", hidden[i], previous); previous = hidden[i]; }
        Layer("encoder.mean", config.LatentSize, previous);
        Layer("encoder.logvar", config.LatentSize, previous);
        previous = config.LatentSize;
        for (int i = hidden.Count - 1; i >= 0; i--) { Layer($"decoder.{hidden.Count - 1 - i}", hidden[i], previous); previous = hidden[i]; }
        if (config.Likelihood == Likelihood.Bernoulli) Layer("decoder.logits", config.InputSize, previous);
        else { Layer("decoder.mean", config.InputSize, previous); Layer("decoder.logvar", config.InputSize, previous); }
        TotalLength = offset;
        EncoderLayers = hidden.Count;
    }

    /// <summary>Every parameter tensor, in buffer order.</summary>
    public IReadOnlyList<ParameterSlice> Slices => _slices;

    /// <summary>The buffer length.</summary>
    public long TotalLength { get; }

    internal int EncoderLayers { get; }

    /// <summary>The slice with this name.</summary>
    public ParameterSlice this[string name] => _slices.Find(s => s.Name == name) is { Name: not null } s
        ? s : throw new ArgumentException($"No parameter named '{name}'.", nameof(name));

    // Index helpers in buffer order: weight of layer i is 2i, bias 2i + 1.
    internal ParameterSlice Weight(int layer) => _slices[2 * layer];
    internal ParameterSlice Bias(int layer) => _slices[2 * layer + 1];
    internal int LayerCount => _slices.Count / 2;
}
