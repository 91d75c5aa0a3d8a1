using System.Text.Json;
using System.Text.Json.Nodes;
using Vae.Simd.Files;

namespace Vae.Simd.Cli.Experiments;

/// <summary>One point of a curve: training samples evaluated, and the measure on the training and test subsets (nats per image).</summary>
internal sealed record CurvePoint(long Samples, double Train, double Test, double Seconds);

/// <summary>
/// The record of one curve run, written atomically beside its checkpoint at every point: the chosen step size (so a
/// resumed run does not repeat the trials), the points so far, and whether the horizon was reached.
/// </summary>
internal sealed class CurveRecord
{
    /// <summary>The chosen step size, or null before the trials ran.</summary>
    public float? StepSize { get; set; }

    /// <summary>The trials' scores, in the order of the candidates.</summary>
    public double[] StepSizeScores { get; set; } = [];

    /// <summary>The points so far.</summary>
    public List<CurvePoint> Points { get; } = [];

    /// <summary>Whether the curve reached its horizon.</summary>
    public bool Complete { get; set; }

    /// <summary>The record as JSON.</summary>
    public JsonObject ToJson(CurveSettings settings, long trainSetSize) => new()
    {
        ["name"] = settings.Name,
        ["algorithm"] = settings.Algorithm.Name(),
        ["nz"] = settings.Model.LatentSize,
        ["hidden"] = settings.Model.HiddenSizes[0],
        ["train_examples"] = trainSetSize,
        ["measure"] = settings.Measure == CurveMeasure.Elbo ? "elbo" : $"importance-weighted log p(x), K = {settings.ImportanceSamples}",
        ["eval_examples"] = settings.EvalExamples,
        ["weight_decay"] = settings.Trainer.WeightDecay,
        ["step_size_candidates"] = new JsonArray([.. settings.StepSizes.Select(s => (JsonNode)(double)(decimal)s)]),
        ["step_size_scores"] = new JsonArray([.. StepSizeScores.Select(s => (JsonNode?)(double.IsFinite(s) ? Math.Round(s, 4) : null))]),
        ["step_size"] = StepSize is float chosen ? (double)(decimal)chosen : null,
        ["trial_samples"] = settings.TrialSamples,
        ["max_samples"] = settings.MaxSamples,
        ["complete"] = Complete,
        ["points_columns"] = new JsonArray("samples", "train", "test", "seconds"),
        ["points"] = new JsonArray([.. Points.Select(p => (JsonNode)new JsonArray(p.Samples, Math.Round(p.Train, 4), Math.Round(p.Test, 4), Math.Round(p.Seconds, 1)))]),
    };

    /// <summary>Writes the record atomically.</summary>
    public void Save(string path, CurveSettings settings, long trainSetSize) => AtomicWrite.ToFile(path, ToJson(settings, trainSetSize).ToJsonString() + "\n");

    /// <summary>Reads a record written by <see cref="Save"/>, or an empty one when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not such a record.</exception>
    public static CurveRecord Load(string path)
    {
        var record = new CurveRecord();
        if (!File.Exists(path)) return record;
        try
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("empty");
            record.StepSize = root["step_size"] is JsonNode s ? (float)(double)s : null;
            record.StepSizeScores = [.. root["step_size_scores"]!.AsArray().Select(n => n is null ? double.NaN : (double)n)];
            record.Complete = (bool)root["complete"]!;
            foreach (JsonNode? p in root["points"]!.AsArray())
            {
                JsonArray row = p!.AsArray();
                record.Points.Add(new CurvePoint((long)row[0]!, (double)row[1]!, (double)row[2]!, (double)row[3]!));
            }
            return record;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{path}: not the record of a curve run ({e.Message}).", e);
        }
    }
}
