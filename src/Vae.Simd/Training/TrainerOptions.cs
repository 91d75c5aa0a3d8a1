using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Training;

/// <summary>Settings of a training run. Defaults: the PyTorch example (Adam 1e-3, batch 128).</summary>
public sealed record TrainerOptions
{
    /// <summary>M, examples per minibatch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>
    /// Examples per shard. A minibatch is cut into shards of this size whatever the thread count, so
    /// results are the same with 1 thread or 8.
    /// </summary>
    public int ShardSize { get; init; } = 64;

    /// <summary>Threads for the shards and the update (results do not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>The step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>ε of Adam's denominator (ignored by the other optimizers); the IWAE paper's runs use 1e-4.</summary>
    public float AdamEpsilon { get; init; } = DefaultAdamEpsilon;

    /// <summary>The default of <see cref="AdamEpsilon"/>, PyTorch's.</summary>
    public const float DefaultAdamEpsilon = 1e-8f;

    /// <summary>λ of the Gaussian prior on the parameters (L2 weight decay).</summary>
    public float WeightDecay { get; init; }

    /// <summary>
    /// Seed of the minibatch order and of the reparameterisation noise. Dynamic binarisation has its own seed,
    /// <see cref="Binarization.Seed"/> (the <c>vae train</c> command sets both from <c>--seed</c>); initialisation
    /// takes the seed given to the model's constructor.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>The objective.</summary>
    public ElboOptions Elbo { get; init; } = new();

    /// <summary>AEVB or wake-sleep. Wake-sleep reports the ELBO (<see cref="Elbo"/>'s estimator, one sample) of the current q and p.</summary>
    public TrainingAlgorithm Algorithm { get; init; } = TrainingAlgorithm.Aevb;

    /// <summary>How inputs become Bernoulli targets.</summary>
    public Binarization Binarization { get; init; } = Binarization.None;

    /// <summary>The paper's MNIST setup: M = 100, Adagrad, a small weight decay.</summary>
    public static TrainerOptions Paper { get; } = new()
    {
        BatchSize = 100,
        ShardSize = 50,
        Optimizer = OptimizerKind.Adagrad,
        LearningRate = 0.02f,
        WeightDecay = 1e-4f,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"TrainerOptions: BatchSize must be at least 1; got {BatchSize}.");
        if (ShardSize < 1) throw new ArgumentException($"TrainerOptions: ShardSize must be at least 1; got {ShardSize}.");
        if (Threads < 1) throw new ArgumentException($"TrainerOptions: Threads must be at least 1; got {Threads}.");
        if (!(LearningRate > 0f) || !float.IsFinite(LearningRate)) throw new ArgumentException($"TrainerOptions: LearningRate must be positive; got {LearningRate}.");
        if (!(AdamEpsilon > 0f) || !float.IsFinite(AdamEpsilon)) throw new ArgumentException($"TrainerOptions: AdamEpsilon must be positive; got {AdamEpsilon}.");
        if (!(WeightDecay >= 0f) || !float.IsFinite(WeightDecay)) throw new ArgumentException($"TrainerOptions: WeightDecay must be ≥ 0; got {WeightDecay}.");
        if (Binarization.Mode == BinarizationMode.Threshold && !(Binarization.Threshold is >= 0f and < 1f))
            throw new ArgumentException($"TrainerOptions: the binarisation threshold must be in [0, 1); got {Binarization.Threshold}.");
        Elbo.Validate();
        if (!Enum.IsDefined(Algorithm)) throw new ArgumentException($"TrainerOptions: unknown algorithm {Algorithm}.");
        if (Algorithm == TrainingAlgorithm.WakeSleep && (Elbo.Objective != Objective.Elbo || Elbo.Samples != 1 || Elbo.Beta != 1f || Elbo.WarmupSteps != 0))
            throw new ArgumentException("TrainerOptions: wake-sleep fits each network to its own phase's log-likelihood, one sample each; it takes no IWAE objective, sample count, KL weight or warm-up.");
    }
}
