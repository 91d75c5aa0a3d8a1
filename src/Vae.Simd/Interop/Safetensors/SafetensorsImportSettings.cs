using Vae.Simd.Autodiff;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Safetensors;

/// <summary>
/// What a safetensors file's tensor shapes cannot say about its model: the hidden activation, continuous vs plain
/// Bernoulli, and the Gaussian decoder's variance settings. Each is needed only for a file without
/// <c>__metadata__</c> <see cref="SafetensorsModel.ConfigKey"/> (null: the PyTorch example's ReLU and Bernoulli, the
/// variance mode the tensors show, <see cref="VaeConfig"/>'s default floor and fixed value); for a file with it, each
/// setting given must agree with what the file records.
/// </summary>
public sealed record SafetensorsImportSettings
{
    /// <summary>The hidden layers' activation.</summary>
    public Activation? Activation { get; init; }

    /// <summary>The decoder's distribution.</summary>
    public Likelihood? Likelihood { get; init; }

    /// <summary>The Gaussian decoder's variance mode (layered names show it by their tensors; this checks it).</summary>
    public GaussianVariance? GaussianVariance { get; init; }

    /// <summary>The floor of a learned Gaussian variance, <see cref="VaeConfig.MinVariance"/>.</summary>
    public float? MinVariance { get; init; }

    /// <summary>The fixed Gaussian variance, <see cref="VaeConfig.FixedVariance"/>.</summary>
    public float? FixedVariance { get; init; }

    /// <summary>Returns <paramref name="recorded"/> when every setting given agrees with it; else throws naming the first that does not.</summary>
    /// <exception cref="InvalidDataException">A setting differs from the recorded configuration.</exception>
    internal VaeConfig CheckAgainst(VaeConfig recorded, string source)
    {
        bool gaussian = recorded.Likelihood == Model.Likelihood.Gaussian;
        Disagree("activation", Activation, recorded.Activation);
        Disagree("likelihood", Likelihood, recorded.Likelihood);
        Disagree("Gaussian variance", GaussianVariance, gaussian ? recorded.GaussianVariance : null);
        Disagree("minimum variance", MinVariance, gaussian && recorded.GaussianVariance != Model.GaussianVariance.Fixed ? recorded.MinVariance : null);
        Disagree("fixed variance", FixedVariance, gaussian && recorded.GaussianVariance == Model.GaussianVariance.Fixed ? recorded.FixedVariance : null);
        return recorded;

        void Disagree<TValue>(string what, TValue? given, TValue? inFile) where TValue : struct
        {
            if (given is not { } value || Equals(value, inFile)) return;
            throw new InvalidDataException(inFile is { } stored
                ? $"{source} records {what} {stored}, but {value} was asked for; leave the setting out to use the file's."
                : $"{source} records a {recorded} model, which has no {what} setting; {value} was asked for.");
        }
    }
}
