using System.Globalization;
using System.Runtime.InteropServices;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli.Experiments;
using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary>
/// <c>vae reproduce fig2|fig3|iwae</c>: the published experiments as commands — Kingma &amp; Welling's Figures 2 and 3
/// (AEVB against wake-sleep) and the IWAE paper's Table 1 setting — each resumable, each printing where it stands
/// against the published numbers.
/// </summary>
internal sealed class ReproduceCommand : ICommand
{
    public string Name => "reproduce";
    public string Summary => "Rerun a published experiment (fig2, fig3: Kingma & Welling's Figures 2 and 3; iwae: Burda et al.'s Table 1), resumable, compared with the published numbers.";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("out", "DIR", "Directory of the run's checkpoints and results; rerunning over it continues where it stopped.", "reproduce-EXPERIMENT beside the current directory"),
        new("data", "mnist|PATH", "MNIST (fetched and verified into the cache) or a folder / .tgz of IDX files of the same shape.", "mnist"),
        new("threads", "N", "Threads (results do not depend on it).", "1"),
        new("seed", "N", "Seed of init, order, noise and binarisation.", "1"),
        new("k", "K", "iwae: samples of the importance-weighted training bound (1 = the VAE's ELBO).", "1"),
        new("stages", "N", "iwae: run the first N of the schedule's 8 stages (stage i: 3^i epochs at learning rate 0.001*10^(-i/7)).", "8"),
        new("iw", "K", "Importance samples of the test log-likelihood estimate.", "5000"),
        new("test-examples", "N", "Test images (from the first) the importance-weighted estimate scores; fewer than all is reported as a subset.", "10000"),
        new("limit", "N", "Train on the first N training images only (quick trials; the result is then not the paper's setting)."),
        new("nz", "N[,N...]", "fig2: the latent sizes, one panel each.", "3,5,10,20,200"),
        new("train-sizes", "N[,N...]", "fig3: the training-set sizes, one panel each.", "1000,50000"),
        new("algorithm", "aevb|wake-sleep|both", "fig2, fig3: which algorithms to train.", "both"),
        new("max-samples", "N", "fig2, fig3: the horizon in training samples evaluated (the paper's axis reaches 1e8).", "1e7"),
        new("trial-samples", "N", "fig2, fig3: training samples of each Adagrad step-size trial (0.01, 0.02, 0.1).", "1e5"),
        new("eval-examples", "N", "fig2, fig3: training and test images each curve point scores (fig2: 1000, fig3: 100)."),
        new("plot-only", null, "fig2, fig3: train nothing; draw the figure from the curves already in --out."),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string what = options.Positional is [string one] ? one.ToLowerInvariant()
            : throw new UsageException("say which experiment: 'vae reproduce fig2', 'vae reproduce fig3' or 'vae reproduce iwae'.");
        return what switch
        {
            "iwae" => RunIwae(options, stdout, stderr),
            "fig2" or "fig3" => RunFigure(what, options, stdout, stderr),
            _ => throw new UsageException($"unknown experiment '{options.Positional[0]}': expected fig2, fig3 or iwae."),
        };
    }

    private static int RunFigure(string which, CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int threads = options.Int("threads", 1, 1024);
        ulong seed = (ulong)options.Long("seed", 0);
        long maxSamples = Samples(options, "max-samples");
        long trialSamples = Samples(options, "trial-samples");
        int iw = options.Int("iw", 1, 1_000_000);
        int evalExamples = options.Has("eval-examples") ? options.Int("eval-examples", 1, 60_000) : which == "fig2" ? 1000 : 100;
        LearningAlgorithm[] algorithms = options.Choice("algorithm", "aevb", "wake-sleep", "both") switch
        {
            "aevb" => [LearningAlgorithm.Aevb],
            "wake-sleep" => [LearningAlgorithm.WakeSleep],
            _ => [LearningAlgorithm.Aevb, LearningAlgorithm.WakeSleep],
        };
        int? limit = options.Has("limit") ? options.Int("limit", 1) : null;
        string directory = options.Has("out") ? options.RequiredString("out") : $"reproduce-{which}";
        int[] sizes = which == "fig2" ? Sizes(options, "nz", 1, 10_000) : Sizes(options, "train-sizes", 1, 1_000_000);
        LoadedData data = DataSources.Load(options.RequiredString("data"), stderr);
        Dataset train = DataSources.Take(data.Train, limit);
        FigureSpec Spec(IReadOnlyList<LearningAlgorithm> those) => which == "fig2"
            ? FigureSpec.Figure2(sizes, those, maxSamples, trialSamples, evalExamples, threads, seed, train.Count)
            : FigureSpec.Figure3([.. sizes.Select(n => Math.Min(n, train.Count)).Distinct()], those, maxSamples, trialSamples, evalExamples, iw, threads, seed);
        FigureSpec figure = Spec(algorithms);
        stdout.WriteLine($"reproduce {which}: {figure.Title}; {PublishedResults.KingmaWellingFigures}");
        using var cancel = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; cancel.Cancel(); });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; cancel.Cancel(); });
        bool finished = FigureExperiment.Run(figure, train, data.Test, directory, train: !options.Has("plot-only"), stdout, cancel.Token,
            drawn: Spec([LearningAlgorithm.Aevb, LearningAlgorithm.WakeSleep]));
        if (cancel.IsCancellationRequested)
        {
            stderr.WriteLine($"interrupted: the runs in {directory} are saved; rerun the same command to continue.");
            return 130;
        }
        return finished || options.Has("plot-only") ? 0 : 1;
    }

    /// <summary>A count of samples written as 10000000 or 1e7.</summary>
    private static long Samples(CommandLine options, string name)
    {
        double value = options.Double(name, 1, 1e12);
        if (value != Math.Floor(value)) throw new UsageException($"option '--{name}' expects a whole number of samples like 1e7; got '{options.String(name)}'.");
        return (long)value;
    }

    /// <summary>A comma-separated list of whole numbers in [min, max].</summary>
    private static int[] Sizes(CommandLine options, string name, int min, int max)
    {
        string text = options.RequiredString(name);
        var values = new List<int>();
        foreach (string part in text.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
                throw new UsageException($"option '--{name}' expects whole numbers from {min} to {max} separated by commas, like 3,5; got '{text}'.");
            values.Add(v);
        }
        return [.. values.Distinct()];
    }

    private static int RunIwae(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int k = options.Int("k", 1, ElboOptions.MaxK);
        int stages = options.Int("stages", 1, IwaeSchedule.StageCount);
        int threads = options.Int("threads", 1, 1024);
        ulong seed = (ulong)options.Long("seed", 0);
        int iw = options.Int("iw", 1, 1_000_000);
        int testExamples = options.Int("test-examples", 1, int.MaxValue);
        int? limit = options.Has("limit") ? options.Int("limit", 1) : null;
        string directory = options.Has("out") ? options.RequiredString("out") : $"reproduce-iwae-k{k}";

        LoadedData data = DataSources.Load(options.RequiredString("data"), stderr);
        Dataset train = DataSources.Take(data.Train, limit);
        var settings = new IwaeSettings(k, stages, IwaeSettings.PaperModel(train.Features), IwaeSettings.PaperTrainer(seed, threads, k), iw, testExamples);
        var trainedOn = new TrainingData(data.Name, data.FileSha256, settings.Trainer.Binarization, train.Count, train.Features);
        stdout.WriteLine($"reproduce iwae k = {k}: {settings.Model} on {data.Train.Source} ({train.Count} examples{(limit is null ? "" : ", a --limit subset: not the paper's setting")}), " +
            string.Create(CultureInfo.InvariantCulture, $"batch 20, Adam eps 1e-4, stages 1–{stages} of 8 ({IwaeSchedule.EndEpoch(stages - 1)} epochs), {threads} threads, in {directory}"));
        if (PublishedResults.IwaeTestLogLikelihood(k) is double published)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"published: {published:F2} nats ({PublishedResults.IwaeSource})"));

        using var cancel = new CancellationTokenSource();
        using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true; // finish the step, save, exit 130
            cancel.Cancel();
        });
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        // The test images binarised once (seed 0, whatever --seed): the model's likelihood is that of binary images.
        Dataset test = BinarizedSet.Of(data.Test, testExamples, seed: 0);
        bool finished = IwaeExperiment.Run(settings, train, test, data.Test.Count, directory, stdout, trainedOn, progress: null, cancel.Token);
        if (!finished)
        {
            stderr.WriteLine($"interrupted: saved {Path.Combine(directory, IwaeExperiment.CheckpointFile)}; rerun the same command to continue.");
            return 130;
        }
        return 0;
    }
}
