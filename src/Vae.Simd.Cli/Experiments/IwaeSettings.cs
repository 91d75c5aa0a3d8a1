using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Experiments;

/// <summary>What a <c>vae reproduce iwae</c> run does: the model, the trainer (its learning rate is set per stage), the stages to run and the evaluation.</summary>
/// <param name="K">Samples of the importance-weighted bound (1: the plain ELBO, the VAE of the paper's table).</param>
/// <param name="Stages">How many of the schedule's stages to run (1 to 8).</param>
/// <param name="Model">The architecture.</param>
/// <param name="Trainer">The trainer's options; the learning rate is replaced by the stage's.</param>
/// <param name="ImportanceSamples">K of the test log-likelihood estimate (the paper's 5,000).</param>
/// <param name="TestExamples">How many test examples (from the first) the estimate scores.</param>
internal sealed record IwaeSettings(int K, int Stages, VaeConfig Model, TrainerOptions Trainer, int ImportanceSamples, int TestExamples)
{
    /// <summary>The paper's architecture: 784-200-200-50, tanh, Bernoulli decoder.</summary>
    public static VaeConfig PaperModel(int inputSize) => new()
    {
        InputSize = inputSize,
        HiddenSizes = [200, 200],
        Activation = Activation.Tanh,
        LatentSize = 50,
        Likelihood = Likelihood.Bernoulli,
        Initialization = InitializationScheme.UniformFanIn,
    };

    /// <summary>
    /// The paper's optimisation: batch 20, Adam (β₁ 0.9, β₂ 0.999, ε 1e-4), dynamic binarisation; the k-sample IWAE bound,
    /// or for k = 1 the ELBO with the analytic KL (the same objective in expectation as the 1-sample bound, with less variance).
    /// </summary>
    public static TrainerOptions PaperTrainer(ulong seed, int threads, int k = 1) => new()
    {
        Elbo = k == 1 ? new ElboOptions() : new ElboOptions { Objective = Objective.Iwae, K = k },
        BatchSize = 20,
        ShardSize = 20,
        Threads = threads,
        Optimizer = OptimizerKind.Adam,
        AdamEpsilon = 1e-4f,
        LearningRate = IwaeSchedule.RateOf(0),
        Seed = seed,
        Binarization = new Binarization(BinarizationMode.Dynamic, Seed: seed),
    };
}
