using System.Diagnostics;
using System.Globalization;
using Vae.Simd.Checkpoints;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Experiments;

/// <summary>
/// <c>vae reproduce iwae</c>: trains the IWAE paper's MNIST model through the first stages of its schedule
/// (<see cref="IwaeSchedule"/>), checkpointing after every epoch, and scores the test set by the importance-weighted
/// bound after every stage. Rerunning it over the same directory continues where it stopped, bitwise: the
/// learning rate is the only thing that changes between stages, and a stage's trainer takes over the previous
/// one's optimizer state and position exactly as a resume from the checkpoint does.
/// </summary>
internal static class IwaeExperiment
{
    /// <summary>The resumable checkpoint in the run's directory.</summary>
    public const string CheckpointFile = "checkpoint.vae";

    /// <summary>The record of epochs and stage results in the run's directory.</summary>
    public const string ProgressFile = "progress.json";

    /// <summary>The model (only) as it was at the end of stage <paramref name="stage"/>, kept for later evaluation.</summary>
    public static string StageModelFile(int stage) => $"stage-{stage}.vae";

    /// <summary>Runs (or continues) the experiment in <paramref name="directory"/>, scoring <paramref name="test"/> (binary images, see <see cref="BinarizedSet"/>; a subset of the <paramref name="testSetSize"/> test images is reported as one); false when <paramref name="cancel"/> stopped it (the state is saved).</summary>
    /// <exception cref="InvalidDataException">The directory holds a checkpoint of a different run.</exception>
    public static bool Run(IwaeSettings settings, Dataset train, Dataset test, int testSetSize, string directory, TextWriter output, TrainingData? trainedOn = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(directory);
        string checkpointPath = Path.Combine(directory, CheckpointFile), progressPath = Path.Combine(directory, ProgressFile);
        VariationalAutoencoder model;
        Checkpoint? file = null;
        if (File.Exists(checkpointPath))
        {
            file = Checkpoint.Read(checkpointPath);
            model = ModelCheckpoint.LoadModel(file);
            RequireSameRun(file, model, settings);
        }
        else model = new VariationalAutoencoder(settings.Model, settings.Trainer.Seed);

        IwaeProgress record = IwaeProgress.Load(progressPath);
        Trainer? trainer = null;
        for (int stage = 0; stage < settings.Stages; stage++)
        {
            int end = IwaeSchedule.EndEpoch(stage);
            int done = trainer?.Epoch ?? (file is null ? 0 : (int)file.Int64s("trainer.position")[0]);
            if (done < end)
            {
                trainer = StageTrainer(model, train, settings, stage, trainer, file);
                if (file is not null) { record.TruncateTo(trainer.Epoch); file = null; }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"stage {stage + 1}/{IwaeSchedule.StageCount}: epochs {IwaeSchedule.EndEpoch(stage) - IwaeSchedule.EpochsOf(stage) + 1}–{end}, learning rate {trainer.Optimizer.LearningRate:G4}{(trainer.Epoch > end - IwaeSchedule.EpochsOf(stage) ? $", resuming at epoch {trainer.Epoch + 1}" : "")}"));
                while (trainer.Epoch < end)
                {
                    EpochSummary summary = trainer.RunEpoch(progress, cancel);
                    ModelCheckpoint.Save(checkpointPath, model, trainer, trainedOn);
                    if (!summary.Completed) return false;
                    record.Epochs.Add(new IwaeEpoch(summary.Epoch + 1, stage, trainer.Optimizer.LearningRate, summary.TrainElbo, summary.Seconds));
                    record.Save(progressPath, settings);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {summary.Epoch + 1}/{end}: train bound {summary.TrainElbo:F2} nats, {summary.ImagesPerSecond:F0} images/s, {summary.Seconds:F1} s"));
                    if (cancel.IsCancellationRequested) return false;
                }
            }
            if (record.Stages.Any(s => s.Stage == stage)) continue;
            // Past the stage without its evaluation (the record was reset): the model kept at the stage's end is scored.
            string stageModel = Path.Combine(directory, StageModelFile(stage));
            if (done > end && !File.Exists(stageModel))
                throw new InvalidDataException($"{checkpointPath}: the run is past stage {stage + 1} (epoch {done}) but neither {progressPath} nor {stageModel} holds that stage; start afresh in a new directory.");
            IwaeStageResult result = Evaluate(done > end ? ModelCheckpoint.Load(stageModel) : model, test, settings, stage, record, directory, saveModel: done <= end);
            record.Stages.Add(result);
            record.Save(progressPath, settings);
            output.WriteLine(Compare(result, settings, testSetSize));
        }
        output.WriteLine(Summary(record, settings, testSetSize));
        return true;
    }

    /// <summary>The trainer of <paramref name="stage"/>: its learning rate, and the state of the previous stage's trainer or of the checkpoint.</summary>
    private static Trainer StageTrainer(VariationalAutoencoder model, Dataset train, IwaeSettings settings, int stage, Trainer? previous, Checkpoint? file)
    {
        var trainer = new Trainer(model, train, settings.Trainer with { LearningRate = IwaeSchedule.RateOf(stage) });
        if (previous is not null)
        {
            trainer.Optimizer.Restore(previous.Optimizer.Steps, previous.Optimizer.State);
            trainer.RestorePosition(previous.Epoch, previous.BatchInEpoch, previous.Step);
        }
        else if (file is not null) ModelCheckpoint.RestoreTrainer(file, trainer);
        return trainer;
    }

    private static void RequireSameRun(Checkpoint file, VariationalAutoencoder model, IwaeSettings settings)
    {
        if (!ModelCheckpoint.HasTrainerState(file))
            throw new InvalidDataException($"{file.Source}: holds a model but no trainer state, so the run cannot continue.");
        TrainerOptions saved = ModelCheckpoint.LoadOptions(file);
        if (!model.Config.Equals(settings.Model) || saved with { LearningRate = 1, Threads = 1 } != settings.Trainer with { LearningRate = 1, Threads = 1 })
            throw new InvalidDataException($"{file.Source}: holds another run ({model.Config}, {ModelCheckpoint.FormatOptions(saved).Replace('\n', ' ')}); use a new --out directory or the settings it was started with.");
    }

    private static IwaeStageResult Evaluate(VariationalAutoencoder model, Dataset test, IwaeSettings settings, int stage, IwaeProgress record, string directory, bool saveModel)
    {
        if (saveModel) ModelCheckpoint.Save(Path.Combine(directory, StageModelFile(stage)), model);
        long start = Stopwatch.GetTimestamp();
        int threads = settings.Trainer.Threads, examples = Math.Min(settings.TestExamples, test.Count);
        double logLikelihood = Evaluator.LogLikelihood(model, test, settings.ImportanceSamples, examples, threads, seed: 1);
        double elbo = Evaluator.Elbo(model, test, threads, seed: 1);
        return new IwaeStageResult(stage, IwaeSchedule.EndEpoch(stage), IwaeSchedule.RateOf(stage), logLikelihood, elbo, examples, settings.ImportanceSamples,
            record.Epochs.Where(e => e.Epoch <= IwaeSchedule.EndEpoch(stage)).Sum(e => e.Seconds), Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>One stage's result against the published figure.</summary>
    internal static string Compare(IwaeStageResult r, IwaeSettings settings, int testCount)
    {
        string subset = r.TestExamples < testCount ? $"first {r.TestExamples} of {testCount} test images (a subset: the full set costs ~{testCount / Math.Max(1, r.TestExamples)}× the time)" : $"all {testCount} test images";
        string line = string.Create(CultureInfo.InvariantCulture,
            $"stage {r.Stage + 1}/{IwaeSchedule.StageCount} done ({r.Epochs} of {IwaeSchedule.EndEpoch(IwaeSchedule.StageCount - 1)} epochs, {r.TrainSeconds / 3600:F2} h of training): test log p(x) ≈ {r.TestLogLikelihood:F2} nats (K = {r.ImportanceSamples}, {subset}); test ELBO {r.TestElbo:F2}");
        if (PublishedResults.IwaeTestLogLikelihood(settings.K) is not double published)
            return line + $"\n  the paper publishes no figure for k = {settings.K} (it has k = 1, 5, 50)";
        double gap = r.TestLogLikelihood - published;
        string where = Math.Round(gap, 2) == 0 ? "level with it" : string.Create(CultureInfo.InvariantCulture, $"{Math.Abs(gap):F2} nats {(gap > 0 ? "above" : "below")} it");
        string caveat = r.TestExamples < testCount ? " (ours on the subset, the paper's on all test images)" : "";
        return line + string.Create(CultureInfo.InvariantCulture,
            $"\n  published ({(settings.K == 1 ? "VAE" : "IWAE")} k = {settings.K}, after all 8 stages): {published:F2} nats; we are {where} at stage {r.Stage + 1}{caveat}");
    }

    /// <summary>All evaluated stages, and where the run stands.</summary>
    internal static string Summary(IwaeProgress record, IwaeSettings settings, int testCount)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"reproduce iwae k = {settings.K}: {record.Stages.Count} of {IwaeSchedule.StageCount} stages evaluated, {record.Epochs.Count} epochs recorded, {record.TrainSeconds / 3600:F2} h of training"));
        foreach (IwaeStageResult r in record.Stages) text.AppendLine("  " + Compare(r, settings, testCount).Replace("\n", "\n  "));
        return text.ToString().TrimEnd();
    }
}
