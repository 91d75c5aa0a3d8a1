namespace Vae.Simd.Randomness;

/// <summary>
/// Stream purposes for <see cref="CounterRandom.For"/>: every consumer of randomness has its own, so
/// adding one consumer never shifts the numbers another one draws.
/// </summary>
public static class RandomPurpose
{
    /// <summary>Parameter initialisation (first coordinate: parameter index).</summary>
    public const ulong Initialization = 1;
    /// <summary>Minibatch order (first coordinate: epoch).</summary>
    public const ulong Shuffle = 2;
    /// <summary>Training's reparameterisation noise ε (coordinates: step, example index within the data set).</summary>
    public const ulong Noise = 3;
    /// <summary>Dynamic binarisation of inputs (coordinates: epoch, example index).</summary>
    public const ulong Binarization = 4;
    /// <summary>Sampling from the prior for pictures and the <c>Sample</c> API (coordinate: caller's seed).</summary>
    public const ulong PriorSample = 5;
    /// <summary>Importance-sampling evaluation of log p(x) (coordinates: example index, <see cref="ulong.MaxValue"/>).</summary>
    public const ulong ImportanceSampling = 6;
    /// <summary>The noise ε of an ELBO evaluated for inference or a test score (coordinates: 0, row index).</summary>
    public const ulong ElboNoise = 7;
    /// <summary>Wake-sleep's dreams z ~ N(0, I) in the sleep phase (coordinates: step, row within the minibatch).</summary>
    public const ulong SleepLatent = 8;
    /// <summary>Wake-sleep's dreams x ~ p(x|z) in the sleep phase (coordinates: step, row within the minibatch).</summary>
    public const ulong SleepData = 9;
}
