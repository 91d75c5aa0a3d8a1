using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Experiments;

/// <summary>What a curve measures at each point.</summary>
internal enum CurveMeasure
{
    /// <summary>The mean ELBO (one sample of z, analytic KL): Figure 2's lower bound.</summary>
    Elbo,
    /// <summary>The mean importance-weighted estimate of log p(x): Figure 3's marginal likelihood (the paper used HMC).</summary>
    LogLikelihood,
}

/// <summary>One curve of a figure: a model trained by one algorithm, scored on training and test subsets at log-spaced numbers of training samples evaluated.</summary>
/// <param name="Name">The run's name (its folder), e.g. <c>nz3-aevb</c>.</param>
/// <param name="Algorithm">AEVB or wake-sleep.</param>
/// <param name="Model">The architecture.</param>
/// <param name="Trainer">The trainer's options; the learning rate is the one <see cref="StepSizeSelection"/> picks from <paramref name="StepSizes"/>.</param>
/// <param name="StepSizes">Candidate global step sizes.</param>
/// <param name="TrialSamples">Training samples each step-size trial runs.</param>
/// <param name="MaxSamples">The horizon: training samples evaluated when the curve ends.</param>
/// <param name="Measure">What the points measure.</param>
/// <param name="EvalExamples">Training and test images (from the first of each) the points score.</param>
/// <param name="ImportanceSamples">K of <see cref="CurveMeasure.LogLikelihood"/>.</param>
/// <param name="CheckpointSamples">Training samples between checkpoints (besides one at every point).</param>
internal sealed record CurveSettings(string Name, LearningAlgorithm Algorithm, VaeConfig Model, TrainerOptions Trainer, IReadOnlyList<float> StepSizes,
    long TrialSamples, long MaxSamples, CurveMeasure Measure, int EvalExamples, int ImportanceSamples, long CheckpointSamples)
{
    /// <summary>Points per decade of training samples.</summary>
    public const int PointsPerDecade = 4;

    /// <summary>
    /// The numbers of training samples at which the curve is scored: 10^(j/4) rounded up to whole minibatches, from ten
    /// minibatches on, and the horizon itself.
    /// </summary>
    public IReadOnlyList<long> Points()
    {
        long batch = Trainer.BatchSize;
        var points = new SortedSet<long>();
        for (int j = 0; ; j++)
        {
            double value = Math.Pow(10, j / (double)PointsPerDecade);
            if (value > MaxSamples) break;
            long samples = (long)Math.Ceiling(value / batch) * batch;
            if (samples >= 10 * batch && samples <= MaxSamples) points.Add(samples);
        }
        points.Add((MaxSamples + batch - 1) / batch * batch);
        return [.. points];
    }
}
