using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Experiments;

/// <summary>One panel of a figure: its title and its runs (one curve run per algorithm).</summary>
internal sealed record FigurePanel(string Title, int TrainExamples, IReadOnlyList<CurveSettings> Runs);

/// <summary>
/// Kingma &amp; Welling's Figures 2 and 3 as lists of curve runs in the paper's setup: tanh MLPs with N(0, 0.01²)
/// initialisation, M = 100, L = 1, Adagrad with the step size chosen from {0.01, 0.02, 0.1} on the first iterations,
/// and the N(0, I) prior on the parameters as weight decay 1/N with the per-example mean loss (N training examples).
/// </summary>
internal sealed record FigureSpec(string Name, string Title, string YLabel, string Note, IReadOnlyList<FigurePanel> Panels)
{
    /// <summary>Figure 2: the lower bound for Nz ∈ <paramref name="latents"/>, 500 hidden units, all 60,000 training images.</summary>
    public static FigureSpec Figure2(IReadOnlyList<int> latents, IReadOnlyList<LearningAlgorithm> algorithms, long maxSamples, long trialSamples, int evalExamples, int threads, ulong seed, int trainExamples) => new(
        "fig2", "Kingma & Welling Figure 2 (MNIST): lower bound vs training samples evaluated", "lower bound (nats per image)",
        $"ELBO on the first {evalExamples} training and test images (binarised once); Adagrad step size chosen per run from 0.01, 0.02, 0.1 over {trialSamples:N0} samples",
        [.. latents.Select(nz => new FigurePanel($"MNIST, Nz = {nz}", trainExamples, [.. algorithms.Select(a =>
            Run($"nz{nz}-{a.Name()}", a, hidden: 500, nz, trainExamples, maxSamples, trialSamples, CurveMeasure.Elbo, evalExamples, 0, threads, seed))]))]);

    /// <summary>Figure 3: the marginal likelihood for training sets of <paramref name="trainSizes"/> images, 100 hidden units, Nz = 3.</summary>
    public static FigureSpec Figure3(IReadOnlyList<int> trainSizes, IReadOnlyList<LearningAlgorithm> algorithms, long maxSamples, long trialSamples, int evalExamples, int importanceSamples, int threads, ulong seed) => new(
        "fig3", "Kingma & Welling Figure 3 (MNIST, Nz = 3): marginal likelihood vs training samples evaluated", "log p(x) (nats per image)",
        $"log p(x) by the importance-weighted estimator (K = {importanceSamples}; the paper used an HMC-based estimator) on the first {evalExamples} training and test images",
        [.. trainSizes.Select(n => new FigurePanel($"Ntrain = {n:N0}", n, [.. algorithms.Select(a =>
            Run($"n{n}-{a.Name()}", a, hidden: 100, latent: 3, n, maxSamples, trialSamples, CurveMeasure.LogLikelihood, evalExamples, importanceSamples, threads, seed))]))]);

    private static CurveSettings Run(string name, LearningAlgorithm algorithm, int hidden, int latent, int trainExamples, long maxSamples, long trialSamples,
        CurveMeasure measure, int evalExamples, int importanceSamples, int threads, ulong seed) => new(
        name, algorithm,
        new VaeConfig { InputSize = 784, HiddenSizes = [hidden], Activation = Activation.Tanh, LatentSize = latent, Initialization = InitializationScheme.Paper },
        PaperTrainer(trainExamples, threads, seed), StepSizeSelection.PaperCandidates, trialSamples, maxSamples, measure, evalExamples, importanceSamples,
        CheckpointSamples: 200_000);

    /// <summary>The paper's trainer: M = 100, Adagrad, weight decay 1/N (the N(0, I) prior), dynamic binarisation.</summary>
    public static TrainerOptions PaperTrainer(int trainExamples, int threads, ulong seed) => new()
    {
        BatchSize = 100,
        ShardSize = 50,
        Threads = threads,
        Optimizer = OptimizerKind.Adagrad,
        LearningRate = StepSizeSelection.PaperCandidates[0],
        WeightDecay = 1f / trainExamples,
        Seed = seed,
        Binarization = new Vae.Simd.Data.Binarization(Vae.Simd.Data.BinarizationMode.Dynamic, Seed: seed),
    };
}
