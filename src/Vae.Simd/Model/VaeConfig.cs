using Vae.Simd.Autodiff;

namespace Vae.Simd.Model;

/// <summary>The decoder's distribution p(x | z).</summary>
public enum Likelihood
{
    /// <summary>Independent Bernoullis from logits; targets in [0, 1].</summary>
    Bernoulli,
    /// <summary>A diagonal Gaussian with a mean and a log variance per dimension.</summary>
    Gaussian,
}

/// <summary>How weights are initialised (biases start at zero).</summary>
public enum InitializationScheme
{
    /// <summary>The paper's N(0, 0.01²) for every weight.</summary>
    Paper,
    /// <summary>U(−1/√fan_in, 1/√fan_in), PyTorch's default for linear layers.</summary>
    UniformFanIn,
}

/// <summary>
/// The architecture of a VAE: an MLP encoder q(z|x) giving μ and log σ², and an MLP decoder p(x|z)
/// whose hidden sizes mirror the encoder's. The defaults are the PyTorch example (784-400-20, ReLU, Bernoulli).
/// </summary>
public sealed record VaeConfig
{
    /// <summary>Dimensions of x (784 for MNIST).</summary>
    public int InputSize { get; init; } = 784;

    /// <summary>Hidden layer widths of the encoder, first to last; the decoder uses them in reverse.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [400];

    /// <summary>Activation of every hidden layer (tanh as in the paper, ReLU as in most modern code).</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Dimensions of z.</summary>
    public int LatentSize { get; init; } = 20;

    /// <summary>The decoder's distribution.</summary>
    public Likelihood Likelihood { get; init; } = Likelihood.Bernoulli;

    /// <summary>Weight initialisation.</summary>
    public InitializationScheme Initialization { get; init; } = InitializationScheme.UniformFanIn;

    /// <summary>The paper's MNIST model: 500 tanh hidden units, 20 latent dimensions, N(0, 0.01²) init.</summary>
    public static VaeConfig Paper { get; } = new()
    {
        HiddenSizes = [500],
        Activation = Activation.Tanh,
        Initialization = InitializationScheme.Paper,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (InputSize < 1) throw new ArgumentException($"VaeConfig: InputSize must be at least 1; got {InputSize}.");
        if (LatentSize < 1) throw new ArgumentException($"VaeConfig: LatentSize must be at least 1; got {LatentSize}.");
        if (HiddenSizes is null || HiddenSizes.Count == 0) throw new ArgumentException("VaeConfig: HiddenSizes needs at least one hidden layer.");
        for (int i = 0; i < HiddenSizes.Count; i++)
            if (HiddenSizes[i] < 1) throw new ArgumentException($"VaeConfig: hidden layer {i} must have at least 1 unit; got {HiddenSizes[i]}.");
        if (Activation == Activation.None) throw new ArgumentException("VaeConfig: hidden layers need an activation (Tanh or Relu).");
        if (!Enum.IsDefined(Likelihood)) throw new ArgumentException($"VaeConfig: unknown likelihood {Likelihood}.");
        if (!Enum.IsDefined(Initialization)) throw new ArgumentException($"VaeConfig: unknown initialization {Initialization}.");
        long parameters = new ParameterLayout(this, validate: false).TotalLength;
        if (parameters > Array.MaxLength) throw new ArgumentException($"VaeConfig: {parameters} parameters do not fit one array.");
    }

    /// <summary>Value equality including the hidden sizes' contents.</summary>
    public bool Equals(VaeConfig? other) =>
        other is not null && InputSize == other.InputSize && LatentSize == other.LatentSize && Activation == other.Activation &&
        Likelihood == other.Likelihood && Initialization == other.Initialization && HiddenSizes.SequenceEqual(other.HiddenSizes);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InputSize, LatentSize, Activation, Likelihood, Initialization, HiddenSizes.Count);

    /// <summary>e.g. <c>784-400-20 relu bernoulli</c>.</summary>
    public override string ToString() =>
        $"{InputSize}-{string.Join('-', HiddenSizes)}-{LatentSize} {Activation.ToString().ToLowerInvariant()} {Likelihood.ToString().ToLowerInvariant()}";
}
