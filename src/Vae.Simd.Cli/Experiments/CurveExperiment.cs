using System.Diagnostics;
using System.Globalization;
using Vae.Simd.Checkpoints;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Experiments;

/// <summary>
/// Trains one curve of Figure 2 or 3 (<see cref="CurveSettings"/>): the step-size trials first, then training to the
/// horizon, scoring the training and test subsets at each point. Checkpoints at every point and every
/// <see cref="CurveSettings.CheckpointSamples"/>; rerunning over the same directory continues bitwise, and a longer
/// horizon extends a finished curve.
/// </summary>
internal static class CurveExperiment
{
    /// <summary>The resumable checkpoint in the run's directory.</summary>
    public const string CheckpointFile = "checkpoint.vae";

    /// <summary>The curve's record in the run's directory.</summary>
    public const string RecordFile = "curve.json";

    /// <summary>Runs (or continues) the curve in <paramref name="directory"/>; the record, complete unless <paramref name="cancel"/> stopped it.</summary>
    /// <param name="trainEval">The training images the points score (binary).</param>
    /// <param name="testEval">The test images the points score (binary).</param>
    /// <exception cref="NotSupportedException">The algorithm is not in this build.</exception>
    /// <exception cref="InvalidDataException">The directory holds another run.</exception>
    public static CurveRecord Run(CurveSettings settings, Dataset train, Dataset trainEval, Dataset testEval, string directory, TextWriter output, CancellationToken cancel = default)
    {
        TrainerOptions baseOptions = settings.Algorithm.Apply(settings.Trainer);
        Directory.CreateDirectory(directory);
        string checkpointPath = Path.Combine(directory, CheckpointFile), recordPath = Path.Combine(directory, RecordFile);
        CurveRecord record = CurveRecord.Load(recordPath);
        if (record.StepSize is null)
        {
            (float best, double[] scores) = StepSizeSelection.Choose(settings.StepSizes, rate => Trial(settings, baseOptions with { LearningRate = rate }, train));
            record.StepSize = best;
            record.StepSizeScores = scores;
            record.Save(recordPath, settings, train.Count);
            output.WriteLine($"{settings.Name}: step size {best.ToString(CultureInfo.InvariantCulture)} chosen from {string.Join(", ", settings.StepSizes.Select((s, i) => $"{s.ToString(CultureInfo.InvariantCulture)} ({scores[i].ToString("F2", CultureInfo.InvariantCulture)})"))} by the training bound over {settings.TrialSamples} samples");
        }
        TrainerOptions options = baseOptions with { LearningRate = record.StepSize.Value };

        VariationalAutoencoder model;
        Trainer trainer;
        if (File.Exists(checkpointPath))
        {
            Checkpoint file = Checkpoint.Read(checkpointPath);
            model = ModelCheckpoint.LoadModel(file);
            TrainerOptions saved = ModelCheckpoint.LoadOptions(file);
            if (!model.Config.Equals(settings.Model) || saved with { Threads = 1 } != options with { Threads = 1 })
                throw new InvalidDataException($"{checkpointPath}: holds another run ({model.Config}, {ModelCheckpoint.FormatOptions(saved).Replace('\n', ' ')}); use a new --out directory.");
            trainer = new Trainer(model, train, options);
            ModelCheckpoint.RestoreTrainer(file, trainer);
            record.Points.RemoveAll(p => p.Samples > Samples(trainer));
        }
        else
        {
            model = new VariationalAutoencoder(settings.Model, settings.Trainer.Seed);
            trainer = new Trainer(model, train, options);
            record.Points.Clear();
        }

        long start = Stopwatch.GetTimestamp();
        double before = record.Points.Count == 0 ? 0 : record.Points[^1].Seconds;
        long lastCheckpoint = Samples(trainer);
        foreach (long target in settings.Points())
        {
            if (record.Points.Any(p => p.Samples == target)) continue;
            // A checkpoint already past a point (a run stopped between points, then given a shorter horizon) has no
            // model of that point left: the point is skipped rather than scored with a later model.
            if (Samples(trainer) > target) continue;
            while (Samples(trainer) < target)
            {
                if (cancel.IsCancellationRequested)
                {
                    ModelCheckpoint.Save(checkpointPath, model, trainer);
                    record.Complete = false;
                    record.Save(recordPath, settings, train.Count);
                    return record;
                }
                trainer.TrainBatch();
                if (Samples(trainer) - lastCheckpoint >= settings.CheckpointSamples)
                {
                    ModelCheckpoint.Save(checkpointPath, model, trainer);
                    lastCheckpoint = Samples(trainer);
                }
            }
            ModelCheckpoint.Save(checkpointPath, model, trainer);
            lastCheckpoint = Samples(trainer);
            (double trainScore, double testScore) = (Score(model, trainEval, settings), Score(model, testEval, settings));
            var point = new CurvePoint(target, trainScore, testScore, before + Stopwatch.GetElapsedTime(start).TotalSeconds);
            record.Points.Add(point);
            record.Complete = target >= settings.MaxSamples;
            record.Save(recordPath, settings, train.Count);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{settings.Name}: {target:N0} samples: train {trainScore:F2}, test {testScore:F2} nats ({point.Seconds:F0} s)"));
        }
        record.Complete = true;
        record.Save(recordPath, settings, train.Count);
        return record;
    }

    private static long Samples(Trainer trainer) => trainer.Step * trainer.Options.BatchSize;

    /// <summary>A step-size trial: a fresh model trained for the trial's samples; its mean training bound over the second half (−∞ if it diverged).</summary>
    private static double Trial(CurveSettings settings, TrainerOptions options, Dataset train)
    {
        var model = new VariationalAutoencoder(settings.Model, settings.Trainer.Seed);
        var trainer = new Trainer(model, train, options);
        long steps = Math.Max(2, settings.TrialSamples / options.BatchSize);
        double sum = 0;
        long counted = 0;
        try
        {
            for (long s = 0; s < steps; s++)
            {
                int rows = Math.Min(options.BatchSize, train.Count - trainer.BatchInEpoch % trainer.BatchesPerEpoch * options.BatchSize);
                double bound = trainer.TrainBatch();
                if (s >= steps / 2) { sum += bound; counted += rows; }
            }
        }
        catch (TrainingDivergedException)
        {
            return double.NegativeInfinity;
        }
        return sum / counted;
    }

    private static double Score(VariationalAutoencoder model, Dataset data, CurveSettings settings) => settings.Measure == CurveMeasure.Elbo
        ? Evaluator.Elbo(model, data, settings.Trainer.Threads, seed: 1)
        : Evaluator.LogLikelihood(model, data, settings.ImportanceSamples, data.Count, settings.Trainer.Threads, seed: 1);
}
