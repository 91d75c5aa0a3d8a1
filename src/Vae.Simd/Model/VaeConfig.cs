using Vae.Simd.Autodiff;

namespace Vae.Simd.Model;

/// <summary>The decoder's distribution p(x | z).</summary>
public enum Likelihood
{
    /// <summary>Independent Bernoullis from logits; targets in [0, 1].</summary>
    Bernoulli,
    /// <summary>A diagonal Gaussian with a mean per dimension and a variance chosen by <see cref="VaeConfig.GaussianVariance"/>.</summary>
    Gaussian,
    /// <summary>
    /// The continuous Bernoulli (Loaiza-Ganem &amp; Cunningham, 2019) from logits: the normalised density on [0, 1]
    /// that the Bernoulli applied to intensities only approximates.
    /// </summary>
    ContinuousBernoulli,
}

/// <summary>How a Gaussian decoder gets its variance σ².</summary>
public enum GaussianVariance
{
    /// <summary>A learned variance per pixel, from its own output head (the paper's model); can collapse on constant pixels without a floor.</summary>
    PerPixel,
    /// <summary>One learned variance for every pixel and example.</summary>
    Shared,
    /// <summary>A constant σ² (<see cref="VaeConfig.FixedVariance"/>): the ELBO is then a scaled squared error plus a constant.</summary>
    Fixed,
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

    /// <summary>Where a Gaussian decoder's variance comes from (ignored by the other likelihoods).</summary>
    public GaussianVariance GaussianVariance { get; init; } = GaussianVariance.PerPixel;

    /// <summary>
    /// The floor σ²_min of a learned Gaussian variance: the decoder's σ² is σ²_min + exp(output), so the density
    /// of a pixel the model fits exactly stays bounded. The default 10⁻³ (σ ≥ 0.03, about 8 grey levels of
    /// [0, 1] data) stops the collapse on MNIST's constant background; 0 is the unfloored model of the paper.
    /// </summary>
    public float MinVariance { get; init; } = DefaultMinVariance;

    /// <summary>The Gaussian decoder's σ² when <see cref="GaussianVariance"/> is <see cref="GaussianVariance.Fixed"/>.</summary>
    public float FixedVariance { get; init; } = DefaultFixedVariance;

    /// <summary>The default of <see cref="MinVariance"/>.</summary>
    public const float DefaultMinVariance = 1e-3f;

    /// <summary>The default of <see cref="FixedVariance"/>.</summary>
    public const float DefaultFixedVariance = 0.01f;

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
        if (!Enum.IsDefined(GaussianVariance)) throw new ArgumentException($"VaeConfig: unknown Gaussian variance {GaussianVariance}.");
        if (!(MinVariance >= 0f) || !float.IsFinite(MinVariance)) throw new ArgumentException($"VaeConfig: MinVariance must be a finite number ≥ 0; got {MinVariance}.");
        if (!(FixedVariance > 0f) || !float.IsFinite(FixedVariance)) throw new ArgumentException($"VaeConfig: FixedVariance must be a finite number > 0; got {FixedVariance}.");
        if (!Enum.IsDefined(Initialization)) throw new ArgumentException($"VaeConfig: unknown initialization {Initialization}.");
        long parameters = new ParameterLayout(this, validate: false).TotalLength;
        if (parameters > Array.MaxLength) throw new ArgumentException($"VaeConfig: {parameters} parameters do not fit one array.");
    }

    /// <summary>Value equality including the hidden sizes' contents (the Gaussian's variance settings count only for a Gaussian decoder).</summary>
    public bool Equals(VaeConfig? other) =>
        other is not null && InputSize == other.InputSize && LatentSize == other.LatentSize && Activation == other.Activation &&
        Likelihood == other.Likelihood && Initialization == other.Initialization && HiddenSizes.SequenceEqual(other.HiddenSizes) &&
        (Likelihood != Likelihood.Gaussian ||
         (GaussianVariance == other.GaussianVariance && MinVariance.Equals(other.MinVariance) && FixedVariance.Equals(other.FixedVariance)));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InputSize, LatentSize, Activation, Likelihood, Initialization, HiddenSizes.Count);

    /// <summary>e.g. <c>784-400-20 relu bernoulli</c>, or <c>… gaussian (per-pixel variance ≥ 0.001)</c>.</summary>
    public override string ToString() =>
        $"{InputSize}-{string.Join('-', HiddenSizes)}-{LatentSize} {Activation.ToString().ToLowerInvariant()} {Likelihood.ToString().ToLowerInvariant()}" +
        (Likelihood != Likelihood.Gaussian ? "" : GaussianVariance switch
        {
            GaussianVariance.Fixed => FormattableString.Invariant($" (fixed variance {FixedVariance})"),
            GaussianVariance.Shared => FormattableString.Invariant($" (shared variance ≥ {MinVariance})"),
            _ => FormattableString.Invariant($" (per-pixel variance ≥ {MinVariance})"),
        });
}
