using Vae.Simd.Training;

namespace Vae.Simd.Cli.Experiments;

/// <summary>The two learning algorithms Kingma &amp; Welling compare.</summary>
internal enum LearningAlgorithm
{
    /// <summary>Auto-encoding variational Bayes: the reparameterised ELBO's gradient for encoder and decoder together.</summary>
    Aevb,
    /// <summary>Wake-sleep (Hinton et al. 1995): the decoder fitted to encoder samples, the encoder to the decoder's dreams.</summary>
    WakeSleep,
}

/// <summary>Names and trainer settings of <see cref="LearningAlgorithm"/>.</summary>
internal static class LearningAlgorithms
{
    /// <summary>The name used in files and legends.</summary>
    public static string Name(this LearningAlgorithm algorithm) => algorithm == LearningAlgorithm.Aevb ? "aevb" : "wake-sleep";

    /// <summary>Whether this build can train with <paramref name="algorithm"/>.</summary>
    public static bool Available(LearningAlgorithm algorithm) => Enum.IsDefined(algorithm);

    /// <summary>The trainer options that run <paramref name="algorithm"/>.</summary>
    /// <exception cref="NotSupportedException">The algorithm is not in this build.</exception>
    public static TrainerOptions Apply(this LearningAlgorithm algorithm, TrainerOptions options) => algorithm switch
    {
        LearningAlgorithm.Aevb => options with { Algorithm = TrainingAlgorithm.Aevb },
        LearningAlgorithm.WakeSleep => options with { Algorithm = TrainingAlgorithm.WakeSleep },
        _ => throw new NotSupportedException($"unknown algorithm {algorithm}."),
    };
}
