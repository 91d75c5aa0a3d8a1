using System.Globalization;
using System.Runtime.InteropServices;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli.Experiments;
using Vae.Simd.Data;

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
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string what = options.Positional is [string one] ? one.ToLowerInvariant()
            : throw new UsageException("say which experiment: 'vae reproduce fig2', 'vae reproduce fig3' or 'vae reproduce iwae'.");
        return what switch
        {
            "iwae" => RunIwae(options, stdout, stderr),
            _ => throw new UsageException($"unknown experiment '{options.Positional[0]}': expected fig2, fig3 or iwae."),
        };
    }

    private static int RunIwae(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int k = options.Int("k", 1, 5000);
        if (k != 1) throw new UsageException($"--k {k}: the IWAE objective (k > 1) is not in this build yet; --k 1 (the VAE) runs.");
        int stages = options.Int("stages", 1, IwaeSchedule.StageCount);
        int threads = options.Int("threads", 1, 1024);
        ulong seed = (ulong)options.Long("seed", 0);
        int iw = options.Int("iw", 1, 1_000_000);
        int testExamples = options.Int("test-examples", 1, int.MaxValue);
        int? limit = options.Has("limit") ? options.Int("limit", 1) : null;
        string directory = options.Has("out") ? options.RequiredString("out") : $"reproduce-iwae-k{k}";

        LoadedData data = DataSources.Load(options.RequiredString("data"), stderr);
        Dataset train = DataSources.Take(data.Train, limit);
        var settings = new IwaeSettings(k, stages, IwaeSettings.PaperModel(train.Features), IwaeSettings.PaperTrainer(seed, threads), iw, testExamples);
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
        bool finished = IwaeExperiment.Run(settings, train, data.Test, directory, stdout, trainedOn, progress: null, cancel.Token);
        if (!finished)
        {
            stderr.WriteLine($"interrupted: saved {Path.Combine(directory, IwaeExperiment.CheckpointFile)}; rerun the same command to continue.");
            return 130;
        }
        return 0;
    }
}
