namespace Vae.Simd.Data;

/// <summary>How [0, 1] intensities become Bernoulli targets.</summary>
public enum BinarizationMode
{
    /// <summary>Use the intensities as they are (the common "continuous Bernoulli" targets).</summary>
    None,
    /// <summary>1 where the intensity exceeds a threshold, else 0.</summary>
    Threshold,
    /// <summary>Each pixel ~ Bernoulli(intensity), drawn again every epoch from (seed, epoch, example).</summary>
    Dynamic,
}

/// <summary>A binarisation setting.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Threshold">The threshold of <see cref="BinarizationMode.Threshold"/>.</param>
/// <param name="Seed">The seed of <see cref="BinarizationMode.Dynamic"/>.</param>
public readonly record struct Binarization(BinarizationMode Mode, float Threshold = 0.5f, ulong Seed = 0)
{
    /// <summary>No binarisation.</summary>
    public static Binarization None => new(BinarizationMode.None);
}
