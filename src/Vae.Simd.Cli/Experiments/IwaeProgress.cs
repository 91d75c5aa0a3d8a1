using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Simd.Files;

namespace Vae.Simd.Cli.Experiments;

/// <summary>One finished epoch of a <c>vae reproduce iwae</c> run.</summary>
internal sealed record IwaeEpoch(int Epoch, int Stage, double LearningRate, double TrainBound, double Seconds);

/// <summary>The evaluation after a finished stage: the test log-likelihood by the importance-weighted bound.</summary>
internal sealed record IwaeStageResult(int Stage, int Epochs, double LearningRate, double TestLogLikelihood, double TestElbo, int TestExamples, int ImportanceSamples, double TrainSeconds, double EvalSeconds);

/// <summary>
/// The record of a <c>vae reproduce iwae</c> run: every finished epoch and every stage's evaluation, written
/// atomically beside the checkpoint after each epoch, so a resumed run carries on its history.
/// </summary>
internal sealed class IwaeProgress
{
    /// <summary>The finished epochs, in order.</summary>
    public List<IwaeEpoch> Epochs { get; } = [];

    /// <summary>The evaluated stages, in order.</summary>
    public List<IwaeStageResult> Stages { get; } = [];

    /// <summary>Training seconds over all recorded epochs.</summary>
    public double TrainSeconds => Epochs.Sum(e => e.Seconds);

    /// <summary>The file as JSON: the run's settings, its epochs and stages, and the published figure for its k.</summary>
    public string ToJson(IwaeSettings settings)
    {
        var root = new JsonObject
        {
            ["experiment"] = "iwae",
            ["k"] = settings.K,
            ["model"] = settings.Model.ToString(),
            ["objective"] = settings.K == 1 ? "elbo (analytic KL; k = 1 is the VAE)" : $"iwae k={settings.K}",
            ["batch"] = settings.Trainer.BatchSize,
            ["optimizer"] = FormattableString.Invariant($"adam beta1 0.9 beta2 0.999 eps {settings.Trainer.AdamEpsilon:R}"),
            ["binarization"] = "dynamic",
            ["seed"] = settings.Trainer.Seed,
            ["stages_requested"] = settings.Stages,
            ["stages_of_paper"] = IwaeSchedule.StageCount,
            ["epochs_of_paper"] = IwaeSchedule.EndEpoch(IwaeSchedule.StageCount - 1),
            ["published_test_log_likelihood"] = PublishedResults.IwaeTestLogLikelihood(settings.K),
            ["published_source"] = PublishedResults.IwaeSource,
            ["train_seconds"] = Math.Round(TrainSeconds, 1),
            ["stages"] = new JsonArray(Stages.Select(s => (JsonNode)new JsonObject
            {
                ["stage"] = s.Stage,
                ["epochs"] = s.Epochs,
                ["learning_rate"] = s.LearningRate,
                ["test_log_likelihood"] = Math.Round(s.TestLogLikelihood, 4),
                ["test_elbo"] = Math.Round(s.TestElbo, 4),
                ["test_examples"] = s.TestExamples,
                ["importance_samples"] = s.ImportanceSamples,
                ["train_seconds"] = Math.Round(s.TrainSeconds, 1),
                ["eval_seconds"] = Math.Round(s.EvalSeconds, 1),
            }).ToArray()),
            ["epochs"] = new JsonArray(Epochs.Select(e => (JsonNode)new JsonArray(e.Epoch, e.Stage, Math.Round(e.TrainBound, 4), Math.Round(e.Seconds, 2))).ToArray()),
            ["epochs_columns"] = new JsonArray("epoch", "stage", "train_bound", "seconds"),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) + "\n";
    }

    /// <summary>Writes the file atomically.</summary>
    public void Save(string path, IwaeSettings settings) => AtomicWrite.ToFile(path, ToJson(settings));

    /// <summary>Reads a file written by <see cref="Save"/>, or an empty record when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not such a record.</exception>
    public static IwaeProgress Load(string path)
    {
        var progress = new IwaeProgress();
        if (!File.Exists(path)) return progress;
        try
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty");
            foreach (JsonNode? e in root["epochs"]!.AsArray())
            {
                JsonArray row = e!.AsArray();
                progress.Epochs.Add(new IwaeEpoch((int)row[0]!, (int)row[1]!, IwaeSchedule.RateOf((int)row[1]!), (double)row[2]!, (double)row[3]!));
            }
            foreach (JsonNode? s in root["stages"]!.AsArray())
                progress.Stages.Add(new IwaeStageResult((int)s!["stage"]!, (int)s["epochs"]!, (double)s["learning_rate"]!, (double)s["test_log_likelihood"]!,
                    (double)s["test_elbo"]!, (int)s["test_examples"]!, (int)s["importance_samples"]!, (double)s["train_seconds"]!, (double)s["eval_seconds"]!));
            return progress;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not the progress record of a reproduce run ({e.Message}).", e);
        }
    }

    /// <summary>Keeps only the epochs before <paramref name="epochs"/> (a checkpoint older than the record wins).</summary>
    public void TruncateTo(int epochs)
    {
        Epochs.RemoveAll(e => e.Epoch > epochs);
        Stages.RemoveAll(s => s.Epochs > epochs);
    }

    internal static string Nats(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
