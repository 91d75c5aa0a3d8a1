using System.Globalization;
using System.Text;
using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Checkpoints;

/// <summary>
/// Saves and loads a model, and optionally the trainer's full state (options, optimizer state,
/// position), in a checkpoint (<see cref="CheckpointWriter"/>, <see cref="Checkpoint"/>). Sections: <c>config</c>, <c>parameters</c>, for
/// resumable checkpoints <c>trainer.options</c>, <c>trainer.position</c>, <c>optimizer.state.N</c>, and
/// <c>data</c> (<see cref="TrainingData"/>) when the caller says what the model was trained on. Checkpoints
/// written before the <c>data</c> section existed load as before, with no training data recorded.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>
    /// Writes the model (and <paramref name="trainer"/>'s state, and the record of its training
    /// <paramref name="data"/>, when given) to <paramref name="path"/> atomically.
    /// </summary>
    public static void Save(string path, VariationalAutoencoder model, Trainer? trainer = null, TrainingData? data = null)
    {
        var writer = new CheckpointWriter()
            .AddText("config", FormatConfig(model.Config))
            .AddFloats("parameters", model.Parameters);
        if (trainer is not null)
        {
            writer.AddText("trainer.options", FormatOptions(trainer.Options))
                .AddInt64s("trainer.position", [trainer.Epoch, trainer.BatchInEpoch, trainer.Step, trainer.Optimizer.Steps]);
            IReadOnlyList<float[]> state = trainer.Optimizer.State;
            for (int i = 0; i < state.Count; i++) writer.AddFloats($"optimizer.state.{i}", state[i]);
        }
        if (data is not null) writer.AddText(DataSection, FormatData(data));
        writer.Save(path);
    }

    /// <summary>Loads a model.</summary>
    /// <exception cref="InvalidDataException">The file is corrupt or its contents do not fit together.</exception>
    public static VariationalAutoencoder Load(string path) => LoadModel(Checkpoint.Read(path));

    /// <summary>The model in an already-read checkpoint.</summary>
    public static VariationalAutoencoder LoadModel(Checkpoint file)
    {
        VaeConfig config = ParseConfig(file.Text("config"), file.Source);
        try
        {
            return new VariationalAutoencoder(config, file.Floats("parameters"));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{file.Source}: {e.Message}", e);
        }
    }

    /// <summary>The data the model was trained on, or null when the checkpoint does not record it (as those written before the record existed).</summary>
    /// <exception cref="InvalidDataException">The record is malformed.</exception>
    public static TrainingData? LoadTrainingData(Checkpoint file) => file.Contains(DataSection) ? ParseData(file.Text(DataSection), file.Source) : null;

    /// <summary>Whether the checkpoint can resume training.</summary>
    public static bool HasTrainerState(Checkpoint file) => file.Contains("trainer.position");

    /// <summary>The trainer options a resumable checkpoint was trained with.</summary>
    public static TrainerOptions LoadOptions(Checkpoint file) => ParseOptions(file.Text("trainer.options"), file.Source);

    /// <summary>Restores a trainer built over the checkpoint's model and options to the saved position.</summary>
    /// <exception cref="InvalidDataException">The saved state does not fit the trainer.</exception>
    public static void RestoreTrainer(Checkpoint file, Trainer trainer)
    {
        long[] position = file.Int64s("trainer.position");
        if (position.Length != 4) throw new InvalidDataException($"{file.Source}: trainer.position has {position.Length} values; expected 4.");
        var state = new List<float[]>();
        for (int i = 0; file.Contains($"optimizer.state.{i}"); i++) state.Add(file.Floats($"optimizer.state.{i}"));
        try
        {
            trainer.Optimizer.Restore(position[3], state);
            trainer.RestorePosition(checked((int)position[0]), checked((int)position[1]), position[2]);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{file.Source}: the saved trainer state does not fit: {e.Message}", e);
        }
    }

    internal static string FormatConfig(VaeConfig c)
    {
        string text = string.Join('\n',
            $"input={c.InputSize}", $"hidden={string.Join(',', c.HiddenSizes)}", $"activation={c.Activation}",
            $"latent={c.LatentSize}", $"likelihood={c.Likelihood}", $"init={c.Initialization}");
        // Written for Gaussian decoders only, so other checkpoints stay byte for byte what they were.
        return c.Likelihood != Likelihood.Gaussian ? text : string.Join('\n', text, $"gaussian_variance={c.GaussianVariance}",
            FormattableString.Invariant($"min_variance={c.MinVariance:R}"), FormattableString.Invariant($"fixed_variance={c.FixedVariance:R}"));
    }

    internal static VaeConfig ParseConfig(string text, string source)
    {
        Dictionary<string, string> v = ParsePairs(text, source);
        try
        {
            var config = new VaeConfig
            {
                InputSize = Int(v, "input", source),
                HiddenSizes = Get(v, "hidden", source).Split(',').Select(h => int.Parse(h, CultureInfo.InvariantCulture)).ToArray(),
                Activation = Enum.Parse<Activation>(Get(v, "activation", source)),
                LatentSize = Int(v, "latent", source),
                Likelihood = Enum.Parse<Likelihood>(Get(v, "likelihood", source)),
                Initialization = Enum.Parse<InitializationScheme>(Get(v, "init", source)),
                // Checkpoints from before the variance options hold an unfloored per-pixel Gaussian.
                GaussianVariance = v.TryGetValue("gaussian_variance", out string? mode) ? Enum.Parse<GaussianVariance>(mode) : GaussianVariance.PerPixel,
                MinVariance = v.TryGetValue("min_variance", out string? floor) ? float.Parse(floor, CultureInfo.InvariantCulture)
                    : Get(v, "likelihood", source) == nameof(Likelihood.Gaussian) ? 0f : VaeConfig.DefaultMinVariance,
                FixedVariance = v.TryGetValue("fixed_variance", out string? fixedVariance) ? float.Parse(fixedVariance, CultureInfo.InvariantCulture) : VaeConfig.DefaultFixedVariance,
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the model configuration is invalid: {e.Message}", e);
        }
    }

    internal static string FormatOptions(TrainerOptions o)
    {
        string text = string.Join('\n',
            $"batch={o.BatchSize}", $"shard={o.ShardSize}", $"optimizer={o.Optimizer}",
            FormattableString.Invariant($"lr={o.LearningRate:R}"), FormattableString.Invariant($"weight_decay={o.WeightDecay:R}"),
            $"seed={o.Seed}", $"estimator={o.Elbo.Estimator}", $"samples={o.Elbo.Samples}",
            FormattableString.Invariant($"beta={o.Elbo.Beta:R}"), $"warmup={o.Elbo.WarmupSteps}",
            $"binarization={o.Binarization.Mode}", FormattableString.Invariant($"threshold={o.Binarization.Threshold:R}"), $"binarization_seed={o.Binarization.Seed}");
        // Written only when they differ from the defaults (AEVB, the ELBO), so such checkpoints stay byte for byte what they were.
        if (o.Elbo.Objective != Objective.Elbo) text = string.Join('\n', text, $"objective={o.Elbo.Objective}", $"k={o.Elbo.K}");
        if (o.Algorithm != TrainingAlgorithm.Aevb) text = string.Join('\n', text, $"algorithm={o.Algorithm}");
        if (o.AdamEpsilon != TrainerOptions.DefaultAdamEpsilon) text = string.Join('\n', text, FormattableString.Invariant($"adam_epsilon={o.AdamEpsilon:R}"));
        return text;
    }

    internal static TrainerOptions ParseOptions(string text, string source)
    {
        Dictionary<string, string> v = ParsePairs(text, source);
        try
        {
            var options = new TrainerOptions
            {
                BatchSize = Int(v, "batch", source),
                ShardSize = Int(v, "shard", source),
                Optimizer = Enum.Parse<OptimizerKind>(Get(v, "optimizer", source)),
                LearningRate = float.Parse(Get(v, "lr", source), CultureInfo.InvariantCulture),
                WeightDecay = float.Parse(Get(v, "weight_decay", source), CultureInfo.InvariantCulture),
                AdamEpsilon = v.TryGetValue("adam_epsilon", out string? epsilon) ? float.Parse(epsilon, CultureInfo.InvariantCulture) : TrainerOptions.DefaultAdamEpsilon,
                Seed = ulong.Parse(Get(v, "seed", source), CultureInfo.InvariantCulture),
                Elbo = new ElboOptions
                {
                    Estimator = Enum.Parse<Estimator>(Get(v, "estimator", source)),
                    Samples = Int(v, "samples", source),
                    Beta = float.Parse(Get(v, "beta", source), CultureInfo.InvariantCulture),
                    WarmupSteps = long.Parse(Get(v, "warmup", source), CultureInfo.InvariantCulture),
                    // Checkpoints from before the IWAE objective trained the ELBO.
                    Objective = v.TryGetValue("objective", out string? objective) ? Enum.Parse<Objective>(objective) : Objective.Elbo,
                    K = v.TryGetValue("k", out string? k) ? int.Parse(k, CultureInfo.InvariantCulture) : 1,
                },
                Binarization = new Binarization(Enum.Parse<BinarizationMode>(Get(v, "binarization", source)),
                    float.Parse(Get(v, "threshold", source), CultureInfo.InvariantCulture),
                    ulong.Parse(Get(v, "binarization_seed", source), CultureInfo.InvariantCulture)),
                Algorithm = v.TryGetValue("algorithm", out string? algorithm) ? Enum.Parse<TrainingAlgorithm>(algorithm) : TrainingAlgorithm.Aevb,
            };
            options.Validate();
            return options;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the trainer options are invalid: {e.Message}", e);
        }
    }

    private const string DataSection = "data";
    private const string Sha256Prefix = "sha256:";

    internal static string FormatData(TrainingData d)
    {
        if (d.Source.Contains('\n') || d.FileSha256.Keys.Any(name => name.Contains('=') || name.Contains('\n')))
            throw new ArgumentException($"ModelCheckpoint: the data source '{d.Source}' or one of its file names cannot be recorded (line break or '=').", nameof(d));
        return string.Join('\n', [
            $"source={d.Source}", $"examples={d.Examples}", $"features={d.Features}",
            $"binarization={d.Binarization.Mode}", FormattableString.Invariant($"threshold={d.Binarization.Threshold:R}"), $"binarization_seed={d.Binarization.Seed}",
            .. d.FileSha256.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{Sha256Prefix}{kv.Key}={kv.Value}")]);
    }

    internal static TrainingData ParseData(string text, string source)
    {
        Dictionary<string, string> v = ParsePairs(text, source);
        try
        {
            var data = new TrainingData(Get(v, "source", source),
                v.Where(kv => kv.Key.StartsWith(Sha256Prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[Sha256Prefix.Length..], kv => kv.Value),
                new Binarization(Enum.Parse<BinarizationMode>(Get(v, "binarization", source)),
                    float.Parse(Get(v, "threshold", source), CultureInfo.InvariantCulture),
                    ulong.Parse(Get(v, "binarization_seed", source), CultureInfo.InvariantCulture)),
                Int(v, "examples", source), Int(v, "features", source));
            if (data.Examples < 1 || data.Features < 1) throw new FormatException($"{data.Examples} examples of {data.Features} values.");
            return data;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the record of the training data is invalid: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ParsePairs(string text, string source)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new InvalidDataException($"{source}: malformed setting line '{line}'.");
            pairs[line[..eq]] = line[(eq + 1)..];
        }
        return pairs;
    }

    private static string Get(Dictionary<string, string> v, string key, string source) =>
        v.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"{source}: the setting '{key}' is missing.");

    private static int Int(Dictionary<string, string> v, string key, string source) =>
        int.Parse(Get(v, key, source), CultureInfo.InvariantCulture);
}
