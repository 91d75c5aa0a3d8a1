using System.Globalization;
using System.Runtime.InteropServices;
using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae train</c>: the main job. Defaults to the PyTorch-style MNIST setup.</summary>
internal sealed class TrainCommand : ICommand
{
    public string Name => "train";
    public string Summary => "Train a VAE (default: MNIST, 784-400-20 ReLU, Bernoulli, Adam 1e-3, batch 128).";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("data", "mnist|fashion-mnist|PATH", "Training data: 'mnist' or 'fashion-mnist' (fetched and verified into the cache), a .tgz package / folder of IDX files, or a .csv / .npy file of rows (the last tenth is the test set). The checkpoint records it (path, SHA-256 of its files, binarisation, example count).", "mnist"),
        new("hidden", "N[,N...]", "Hidden layer widths of the encoder (the decoder mirrors them).", "400"),
        new("activation", "relu|tanh", "Hidden activation.", "relu"),
        new("latent", "N", "Latent dimensions.", "20"),
        new("likelihood", "bernoulli|gaussian|continuous-bernoulli", "Decoder distribution: Bernoulli (binary or binarised data; intensities as soft targets), Gaussian, or the continuous Bernoulli (the normalised density for intensities in [0, 1]).", "bernoulli"),
        new("gaussian-variance", "per-pixel|shared|fixed", "Gaussian decoder's variance: learned per pixel (the paper's), one learned value for all pixels (steadier on data with constant regions), or fixed at --fixed-variance (a scaled squared error).", "per-pixel"),
        new("min-variance", "V", "Floor of a learned Gaussian variance, sigma^2 = V + exp(output): stops the collapse where pixels are constant (MNIST's background); 0 disables it. Default suits [0, 1] data (sigma >= 0.03).", "0.001"),
        new("fixed-variance", "V", "The Gaussian's variance with --gaussian-variance fixed.", "0.01"),
        new("init", "uniform|paper", "Weight init: U(±1/sqrt(fan_in)) or the paper's N(0, 0.01^2).", "uniform"),
        new("estimator", "analytic|mc", "KL estimator: analytic (paper's B) or Monte Carlo (paper's A).", "analytic"),
        new("samples", "L", "Samples of z per example (ELBO).", "1"),
        new("objective", "elbo|iwae", "Bound to maximise: the ELBO, or the importance-weighted bound log (1/k) sum_i p(x,z_i)/q(z_i|x) (Burda et al. 2016; reported as the epoch's train bound; k = 1 is the ELBO with the Monte Carlo KL).", "elbo"),
        new("k", "K", "Importance samples per example of --objective iwae.", "1"),
        new("algorithm", "aevb|wake-sleep", "AEVB (Kingma & Welling), or wake-sleep (Hinton et al. 1995, the paper's baseline: same networks, init and optimizer; the wake phase fits the decoder to (x, z~q), the sleep phase the encoder to dreams z~p(z), x~p(x|z); the reported train ELBO is the ELBO of the current q and p).", "aevb"),
        new("beta", "B", "Weight of the KL term.", "1"),
        new("warmup", "STEPS", "Linear KL warm-up steps.", "0"),
        new("optimizer", "adam|adagrad|sgd", "Optimizer.", "adam"),
        new("lr", "RATE", "Learning rate.", "0.001"),
        new("weight-decay", "LAMBDA", "L2 weight decay: adds λθ to the gradient of the per-example mean loss, i.e. a N(0, 1/(λN)) prior on each weight for N training examples; the paper's N(0, I) prior is λ = 1/N (1.7e-5 for MNIST's 60,000).", "0"),
        new("batch", "M", "Minibatch size.", "128"),
        new("shard", "N", "Examples per shard (results do not depend on --threads).", "64"),
        new("epochs", "N", "Epochs to train.", "10"),
        new("threads", "N", "Threads.", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
        new("seed", "N", "Seed of init, shuffling and noise.", "1"),
        new("binarize", "none|threshold|dynamic", "Bernoulli targets: intensities, >0.5, or resampled per epoch.", "none"),
        new("limit", "N", "Use only the first N training examples (quick runs)."),
        new("out", "FILE", "Checkpoint written after every epoch (atomically).", "model.vae"),
        new("metrics", "FILE|none", "One JSON object per epoch (a new run starts the file afresh; --resume appends).", "metrics.jsonl beside --out"),
        new("sample-grid", "FILE|none", "PNG of 64 samples from the prior, written at the end.", "samples.png beside --out"),
        new("curve", "FILE|none", "SVG learning curve from the metrics, written at the end.", "curve.svg beside --out"),
        new("resume", "FILE", "Continue a run from its checkpoint, bitwise as if never stopped."),
        new("init-from", "FILE.safetensors", "Start from these weights (e.g. PyTorch's initial ones); the file must fit the architecture options."),
        new("quiet", null, "Print nothing but errors (no header, progress, epoch lines or final 'saved' line)."),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int epochs = options.Int("epochs", 0, 100_000);
        int threads = options.Int("threads", 1, 1024);
        string outPath = options.RequiredString("out");
        bool quiet = options.Has("quiet");
        TextWriter output = quiet ? TextWriter.Null : stdout, log = quiet ? TextWriter.Null : stderr; // errors still go to stderr
        string? resumePath = options.String("resume");
        // Every option is checked before any data is fetched.
        VaeConfig? config = resumePath is null ? ParseConfig(options, inputSize: 1) : null;
        if (resumePath is not null && options.Has("init-from")) throw new UsageException("--init-from starts a new run; it cannot be combined with --resume.");
        TrainerOptions? trainerOptions = resumePath is null ? ParseTrainerOptions(options, threads) : null;
        int? limit = options.Has("limit") ? options.Int("limit", 1) : null;
        if (config is not null)
        {
            try { Trainer.RequireCompatible(config, trainerOptions!); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
        }

        LoadedData data = DataSources.Load(options.RequiredString("data"), log);
        Dataset train = DataSources.Take(data.Train, limit), test = data.Test;

        VariationalAutoencoder model;
        Trainer trainer;
        if (resumePath is not null)
        {
            Checkpoint file = Checkpoint.Read(resumePath);
            if (!ModelCheckpoint.HasTrainerState(file))
                throw new InvalidDataException($"{resumePath}: holds a model but no trainer state, so it cannot be resumed.");
            model = ModelCheckpoint.LoadModel(file);
            trainer = new Trainer(model, train, ModelCheckpoint.LoadOptions(file) with { Threads = threads });
            ModelCheckpoint.RestoreTrainer(file, trainer);
            log.WriteLine($"resuming {resumePath} at epoch {trainer.Epoch + 1}, step {trainer.Step}");
            if (ModelCheckpoint.LoadTrainingData(file) is { } before && !before.SameFiles(data.FileSha256))
                log.WriteLine($"warning: {resumePath} was trained on {before.Source}, not on {data.Name}; the run will not be the one it would have been.");
        }
        else
        {
            model = new VariationalAutoencoder(config! with { InputSize = train.Features }, trainerOptions!.Seed);
            if (options.String("init-from") is string initFrom) Interop.Safetensors.SafetensorsModel.LoadParameters(initFrom, model);
            trainer = new Trainer(model, train, trainerOptions);
        }

        using var cancel = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true; // finish the step, save, exit 130
            cancel.Cancel();
        });
        // SIGTERM (kill, docker stop, systemd) stops the same way: a background job ignores SIGINT, not SIGTERM.
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        var progress = quiet ? null : new ProgressPrinter(stderr, epochs);
        string? metricsPath = Beside(options, "metrics", outPath, "metrics.jsonl");
        string? gridPath = Beside(options, "sample-grid", outPath, "samples.png");
        string? curvePath = Beside(options, "curve", outPath, "curve.svg");
        if (metricsPath is not null && resumePath is null && File.Exists(metricsPath)) File.Delete(metricsPath);
        var trainedOn = new TrainingData(data.Name, data.FileSha256, trainer.Options.Binarization, train.Count, train.Features);
        string examples = train.Count < data.Train.Count ? $"first {train.Count} of {data.Train.Count} examples" : $"{train.Count} examples";
        string method = trainer.Options.Algorithm == TrainingAlgorithm.WakeSleep ? "wake-sleep, " : trainer.Options.Elbo.Objective == Objective.Iwae ? $"IWAE k={trainer.Options.Elbo.K}, " : "";
        output.WriteLine($"training {model.Config} on {data.Train.Source} ({examples}), {method}{trainer.Options.Optimizer} lr {trainer.Options.LearningRate}, batch {trainer.Options.BatchSize}, {threads} threads");

        string trainBound = trainer.Options.Elbo.Objective == Objective.Iwae ? $"train IWAE bound (k={trainer.Options.Elbo.K})" : "train ELBO";
        try
        {
            while (trainer.Epoch < epochs)
            {
                EpochSummary summary = trainer.RunEpoch(progress, cancel.Token);
                ModelCheckpoint.Save(outPath, model, trainer, trainedOn);
                if (!summary.Completed)
                {
                    progress?.Finish();
                    stderr.WriteLine($"interrupted: saved {outPath} at epoch {trainer.Epoch + 1}, step {trainer.Step}; continue with --resume {outPath}");
                    return 130;
                }
                double testElbo = Evaluator.Elbo(model, test, threads, seed: 1);
                progress?.Finish();
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"epoch {summary.Epoch + 1}/{epochs}: {trainBound} {summary.TrainElbo:F2}, test ELBO {testElbo:F2} nats, {summary.ImagesPerSecond:F0} images/s, {summary.Seconds:F1} s");
                output.WriteLine(line);
                if (metricsPath is not null) MetricsWriter.Append(metricsPath, summary, testElbo, trainer, train.Count);
            }
        }
        catch (TrainingDivergedException e)
        {
            progress?.Finish();
            stderr.WriteLine($"vae train: {e.Message} The last good checkpoint is {(File.Exists(outPath) ? outPath : "(none yet)")}.");
            return 1;
        }
        output.WriteLine($"saved {outPath}");
        if (gridPath is not null && ModelOptions.ImageSide(model) is int side and > 0)
        {
            var images = new float[64 * model.InputSize];
            model.Sample(64, 1, images);
            ModelOptions.WriteGrid(gridPath, images, 64, side, 8);
            output.WriteLine($"wrote {gridPath}");
        }
        if (curvePath is not null && metricsPath is not null && File.Exists(metricsPath))
        {
            PlotCommand.WriteCurve(metricsPath, curvePath);
            output.WriteLine($"wrote {curvePath}");
        }
        return 0;
    }

    /// <summary>An output named by an option, or by default a file of that name beside the checkpoint; 'none' turns it off.</summary>
    private static string? Beside(CommandLine options, string option, string outPath, string fileName)
    {
        string? given = options.Has(option) ? options.String(option) : null;
        if (string.Equals(given, "none", StringComparison.OrdinalIgnoreCase)) return null;
        return given ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".", fileName);
    }

    internal static VaeConfig ParseConfig(CommandLine options, int inputSize)
    {
        int[] hidden;
        try { hidden = options.RequiredString("hidden").Split(',').Select(h => int.Parse(h, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new UsageException($"option '--hidden' expects widths like 400 or 500,500; got '{options.String("hidden")}'."); }
        var config = new VaeConfig
        {
            InputSize = inputSize,
            HiddenSizes = hidden,
            Activation = ModelOptions.ParseActivation(options),
            LatentSize = options.Int("latent", 1, 100_000),
            Likelihood = ModelOptions.ParseLikelihood(options),
            GaussianVariance = ModelOptions.ParseGaussianVariance(options),
            MinVariance = ModelOptions.ParseMinVariance(options),
            FixedVariance = ModelOptions.ParseFixedVariance(options),
            Initialization = options.Choice("init", "uniform", "paper") == "paper" ? InitializationScheme.Paper : InitializationScheme.UniformFanIn,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return config;
    }

    internal static TrainerOptions ParseTrainerOptions(CommandLine options, int threads)
    {
        ulong seed = (ulong)options.Long("seed", 0);
        if (options.Has("k") && options.Choice("objective", "elbo", "iwae") != "iwae")
            throw new UsageException("option '--k' sets the importance samples of --objective iwae; the ELBO takes --samples.");
        if (options.Choice("objective", "elbo", "iwae") == "iwae")
            foreach (string elboOnly in (string[])["samples", "beta", "warmup", "estimator"])
                if (options.Has(elboOnly))
                    throw new UsageException($"option '--{elboOnly}' belongs to the ELBO; --objective iwae has --k samples and no separate KL term.");
        if (options.Choice("algorithm", "aevb", "wake-sleep") == "wake-sleep")
            foreach (string aevbOnly in (string[])["objective", "k", "samples", "beta", "warmup"])
                if (options.Has(aevbOnly))
                    throw new UsageException($"option '--{aevbOnly}' shapes the AEVB objective; --algorithm wake-sleep fits each network to its own phase, one sample each.");
        var result = new TrainerOptions
        {
            BatchSize = options.Int("batch", 1, 1_000_000),
            ShardSize = options.Int("shard", 1, 1_000_000),
            Threads = threads,
            Optimizer = options.Choice("optimizer", "adam", "adagrad", "sgd") switch { "adam" => OptimizerKind.Adam, "adagrad" => OptimizerKind.Adagrad, _ => OptimizerKind.Sgd },
            LearningRate = (float)options.Double("lr", 1e-12, 100),
            WeightDecay = (float)options.Double("weight-decay", 0, 100),
            Seed = seed,
            Algorithm = options.Choice("algorithm", "aevb", "wake-sleep") == "wake-sleep" ? TrainingAlgorithm.WakeSleep : TrainingAlgorithm.Aevb,
            Elbo = new ElboOptions
            {
                Objective = options.Choice("objective", "elbo", "iwae") == "iwae" ? Objective.Iwae : Objective.Elbo,
                K = options.Int("k", 1, ElboOptions.MaxK),
                Estimator = options.Choice("estimator", "analytic", "mc") == "mc" ? Estimator.MonteCarlo : Estimator.Analytic,
                Samples = options.Int("samples", 1, 1000),
                Beta = (float)options.Double("beta", 0, 1e6),
                WarmupSteps = options.Long("warmup", 0),
            },
            Binarization = options.Choice("binarize", "none", "threshold", "dynamic") switch
            {
                "threshold" => new Binarization(BinarizationMode.Threshold),
                "dynamic" => new Binarization(BinarizationMode.Dynamic, Seed: seed),
                _ => Binarization.None,
            },
        };
        try { result.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return result;
    }
}
