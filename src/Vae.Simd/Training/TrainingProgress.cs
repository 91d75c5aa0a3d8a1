namespace Vae.Simd.Training;

/// <summary>A progress report: where training is, and how fast it goes.</summary>
/// <param name="Epoch">The epoch in progress (0-based).</param>
/// <param name="Step">Optimizer steps taken in total.</param>
/// <param name="ExamplesSeen">Training examples processed in total.</param>
/// <param name="ExamplesInEpoch">Examples processed in this epoch so far.</param>
/// <param name="EpochSize">Examples in one epoch.</param>
/// <param name="TrainElbo">Mean ELBO per example over this epoch so far (nats).</param>
/// <param name="ImagesPerSecond">Examples per second over this epoch so far.</param>
/// <param name="Elapsed">Time spent in this epoch.</param>
public sealed record TrainingProgress(int Epoch, long Step, long ExamplesSeen, int ExamplesInEpoch, int EpochSize, double TrainElbo, double ImagesPerSecond, TimeSpan Elapsed);

/// <summary>What one epoch achieved.</summary>
/// <param name="Epoch">The epoch (0-based).</param>
/// <param name="TrainElbo">Mean ELBO per training example, estimated on the minibatches during the epoch (nats).</param>
/// <param name="ImagesPerSecond">Training examples per second.</param>
/// <param name="Seconds">Wall-clock time of the epoch.</param>
/// <param name="Completed">False when cancellation stopped the epoch early.</param>
public sealed record EpochSummary(int Epoch, double TrainElbo, double ImagesPerSecond, double Seconds, bool Completed);

/// <summary>Training stopped because the loss or a gradient stopped being finite; the model keeps its last good parameters.</summary>
public sealed class TrainingDivergedException(long step, string what)
    : Exception($"Training diverged at step {step}: {what}. The parameters were left as they were after step {step - 1}.")
{
    /// <summary>The step (0-based) whose update was refused.</summary>
    public long Step { get; } = step;
}
