using System.Text.Json;
using Vae.Simd.Autodiff;
using Vae.Simd.Cli;
using Vae.Simd.Cli.Experiments;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Experiments;

/// <summary>The reproduce experiments on tiny data: the schedule, bitwise resumption, argument errors, the figure's JSON, the step-size choice.</summary>
public class ReproduceTests
{
    private static DenseDataset Random(int rows, int features, int seed, string name)
    {
        var random = new Random(seed);
        var values = new float[rows * features];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new DenseDataset(values, rows, features, name);
    }

    private static readonly VaeConfig Tiny = new() { InputSize = 12, HiddenSizes = [7, 5], Activation = Activation.Tanh, LatentSize = 3 };

    [Fact]
    public void TheScheduleHasThePapersEpochsAndRates()
    {
        int[] epochs = [.. Enumerable.Range(0, IwaeSchedule.StageCount).Select(IwaeSchedule.EpochsOf)];
        Assert.Equal([1, 3, 9, 27, 81, 243, 729, 2187], epochs);
        Assert.Equal(3280, IwaeSchedule.EndEpoch(IwaeSchedule.StageCount - 1));
        Assert.Equal(364, IwaeSchedule.EndEpoch(5));
        for (int stage = 0; stage < IwaeSchedule.StageCount; stage++)
        {
            Assert.Equal(0.001 * Math.Pow(10, -stage / 7.0), IwaeSchedule.RateOf(stage), 1e-9);
            // The first and last epoch of each stage belong to it, the next one to the next stage.
            Assert.Equal(stage, IwaeSchedule.StageOf(IwaeSchedule.EndEpoch(stage) - IwaeSchedule.EpochsOf(stage)));
            Assert.Equal(stage, IwaeSchedule.StageOf(IwaeSchedule.EndEpoch(stage) - 1));
        }
        Assert.Equal(0.0001f, IwaeSchedule.RateOf(7), 1e-9f);
        Assert.Throws<ArgumentOutOfRangeException>(() => IwaeSchedule.StageOf(3280));
        Assert.Throws<ArgumentOutOfRangeException>(() => IwaeSchedule.EpochsOf(8));
    }

    [Theory]
    [InlineData(-87.67, "0.91 nats below it")]
    [InlineData(-85.95, "0.81 nats above it")]
    [InlineData(-86.76, "level with it")]
    public void AStageSaysOnWhichSideOfThePublishedFigureItIs(double logLikelihood, string expected)
    {
        var settings = new IwaeSettings(1, 8, Tiny, IwaeSettings.PaperTrainer(seed: 1, threads: 1), ImportanceSamples: 5000, TestExamples: 1000);
        var subset = new IwaeStageResult(7, 3280, 1e-4, logLikelihood, -90.0, 1000, 5000, 3600, 60);
        string text = IwaeExperiment.Compare(subset, settings, testCount: 10_000);
        Assert.Contains($"-86.76 nats; we are {expected} at stage 8", text);
        Assert.Contains("ours on the subset", text);
        Assert.DoesNotContain("ours on the subset", IwaeExperiment.Compare(subset with { TestExamples = 10_000 }, settings, testCount: 10_000));
    }

    [Fact]
    public void AnInterruptedIwaeRunResumesToTheSameBitsAsAnUninterruptedOne()
    {
        DenseDataset train = Random(60, 12, 1, "train"), test = Random(10, 12, 2, "test");
        var settings = new IwaeSettings(1, 2, Tiny, IwaeSettings.PaperTrainer(seed: 5, threads: 1), ImportanceSamples: 20, TestExamples: 10);
        string straight = TestData.TempFolder(), resumed = TestData.TempFolder();
        Assert.True(IwaeExperiment.Run(settings, train, test, test.Count, straight, TextWriter.Null));

        // Stopped in the middle of epoch 2 (the first epoch of stage 2), then continued with another thread count.
        using var cancel = new CancellationTokenSource();
        var stopper = new Progress(p => { if (p.Step == 5) cancel.Cancel(); });
        Assert.False(IwaeExperiment.Run(settings, train, test, test.Count, resumed, TextWriter.Null, progress: stopper, cancel: cancel.Token));
        Assert.True(IwaeExperiment.Run(settings with { Trainer = settings.Trainer with { Threads = 2 } }, train, test, test.Count, resumed, TextWriter.Null));

        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, IwaeExperiment.CheckpointFile)), File.ReadAllBytes(Path.Combine(resumed, IwaeExperiment.CheckpointFile)));
        IwaeProgress a = IwaeProgress.Load(Path.Combine(straight, IwaeExperiment.ProgressFile)), b = IwaeProgress.Load(Path.Combine(resumed, IwaeExperiment.ProgressFile));
        Assert.Equal([1, 4], a.Stages.Select(s => s.Epochs));
        Assert.Equal(a.Stages.Select(s => s.TestLogLikelihood), b.Stages.Select(s => s.TestLogLikelihood));
        Assert.Equal(IwaeSchedule.RateOf(1), (float)a.Stages[1].LearningRate);
    }

    [Fact]
    public void AnInterruptedCurveResumesToTheSameBitsAndPoints()
    {
        DenseDataset train = Random(300, 12, 3, "train"), test = Random(20, 12, 4, "test");
        var settings = new CurveSettings("tiny", LearningAlgorithm.Aevb, Tiny with { HiddenSizes = [6] }, FigureTrainer(train.Count), [0.01f, 0.1f],
            TrialSamples: 400, MaxSamples: 5000, CurveMeasure.LogLikelihood, EvalExamples: 20, ImportanceSamples: 10, CheckpointSamples: 700);
        string straight = TestData.TempFolder(), resumed = TestData.TempFolder();
        CurveRecord a = CurveExperiment.Run(settings, train, train, test, straight, TextWriter.Null);
        Assert.True(a.Complete);
        Assert.Equal(settings.Points(), a.Points.Select(p => p.Samples));

        using var cancel = new CancellationTokenSource();
        var stopper = new LineCounter(3, cancel);
        Assert.False(CurveExperiment.Run(settings, train, train, test, resumed, stopper, cancel.Token).Complete);
        CurveExperiment.Run(settings, train, train, test, resumed, TextWriter.Null);
        // As stored (rounded to 4 decimals): the points of the resumed run's record equal the uninterrupted one's.
        (a, CurveRecord b) = (CurveRecord.Load(Path.Combine(straight, CurveExperiment.RecordFile)), CurveRecord.Load(Path.Combine(resumed, CurveExperiment.RecordFile)));

        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, CurveExperiment.CheckpointFile)), File.ReadAllBytes(Path.Combine(resumed, CurveExperiment.CheckpointFile)));
        Assert.Equal(a.Points.Select(p => (p.Samples, p.Train, p.Test)), b.Points.Select(p => (p.Samples, p.Train, p.Test)));
        Assert.Equal(a.StepSize, b.StepSize);
    }

    [Fact]
    public void TheStepSizeSelectionPicksTheCandidateWhoseTrialScoresBest()
    {
        // A real tiny trial: the record's choice is the candidate with the highest trial score.
        DenseDataset train = Random(200, 12, 6, "train");
        var settings = new CurveSettings("sel", LearningAlgorithm.Aevb, Tiny with { HiddenSizes = [6] }, FigureTrainer(train.Count), [0.0001f, 0.05f, 0.2f],
            TrialSamples: 2000, MaxSamples: 1000, CurveMeasure.Elbo, EvalExamples: 10, ImportanceSamples: 1, CheckpointSamples: 1000);
        CurveRecord record = CurveExperiment.Run(settings, train, train, train, TestData.TempFolder(), TextWriter.Null);
        int best = Array.IndexOf(record.StepSizeScores, record.StepSizeScores.Max());
        Assert.Equal(settings.StepSizes[best], record.StepSize);
        Assert.Equal(3, record.StepSizeScores.Distinct().Count());

        // A diverged (non-finite) trial never wins, and ties go to the earlier candidate.
        Assert.Equal(0.02f, StepSizeSelection.Choose([0.01f, 0.02f, 0.1f], r => r == 0.1f ? double.NaN : r == 0.02f ? -90 : -95).Best);
        Assert.Equal(0.01f, StepSizeSelection.Choose([0.01f, 0.02f], _ => -1).Best);
        Assert.Throws<ArgumentException>(() => StepSizeSelection.Choose([0.1f], _ => double.NegativeInfinity));
    }

    [Fact]
    public void TheFigureJsonHasAPanelPerSettingWithItsCurvesAndPoints()
    {
        DenseDataset train = Random(300, 784, 7, "train"), test = Random(20, 784, 8, "test");
        FigureSpec figure = FigureSpec.Figure3([100, 300], [LearningAlgorithm.Aevb, LearningAlgorithm.WakeSleep], maxSamples: 2000, trialSamples: 200, evalExamples: 5, importanceSamples: 5, threads: 1, seed: 1);
        figure = figure with { Panels = [.. figure.Panels.Select(p => p with { Runs = [.. p.Runs.Select(r => r with { Model = r.Model with { HiddenSizes = [8] } })] })] };
        string folder = TestData.TempFolder();
        var output = new StringWriter();
        Assert.True(FigureExperiment.Run(figure, train, test, folder, train: true, output));
        // The comparison with the paper is printed for each panel that has both algorithms.
        Assert.Equal(2, output.ToString().Split('\n').Count(line => line.Contains("AEVB", StringComparison.Ordinal) && line.Contains("wake-sleep", StringComparison.Ordinal)));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "fig3.json")));
        JsonElement root = json.RootElement;
        Assert.Equal("fig3", root.GetProperty("figure").GetString());
        JsonElement[] panels = [.. root.GetProperty("panels").EnumerateArray()];
        Assert.Equal([100, 300], panels.Select(p => p.GetProperty("train_examples").GetInt32()));
        foreach (JsonElement panel in panels)
        {
            JsonElement[] curves = [.. panel.GetProperty("curves").EnumerateArray()];
            Assert.Equal(["aevb", "wake-sleep"], curves.Select(c => c.GetProperty("algorithm").GetString()));
            foreach (JsonElement curve in curves)
            {
            Assert.True(curve.GetProperty("complete").GetBoolean());
            Assert.Equal(["samples", "train", "test", "seconds"], curve.GetProperty("points_columns").EnumerateArray().Select(c => c.GetString()));
            JsonElement[] points = [.. curve.GetProperty("points").EnumerateArray()];
            Assert.Equal(2000, points[^1][0].GetInt64());
            Assert.All(points, p => Assert.True(p[2].GetDouble() < 0, "a log-likelihood of binary images is negative"));
            Assert.Contains(curve.GetProperty("step_size").GetDouble(), new[] { 0.01, 0.02, 0.1 });
            }
        }
        var svg = System.Xml.Linq.XDocument.Load(Path.Combine(folder, "fig3.svg"));
        Assert.Equal(8, svg.Descendants(System.Xml.Linq.XName.Get("polyline", "http://www.w3.org/2000/svg")).Count());
        (_, int width, _, int channels) = Vae.Simd.Tests.Pictures.PngDecoder.DecodeAny(File.ReadAllBytes(Path.Combine(folder, "fig3.png")));
        Assert.Equal((720, 3), (width, channels));
    }

    [Theory]
    [InlineData("--k", "0", "--k")]
    [InlineData("--stages", "9", "--stages")]
    [InlineData("--nz", "3,x", "--nz")]
    [InlineData("--max-samples", "1.5", "--max-samples")]
    [InlineData("--algorithm", "em", "--algorithm")]
    public void BadArgumentsAreNamed(string option, string value, string named)
    {
        string experiment = option is "--k" or "--stages" ? "iwae" : "fig2";
        var stderr = new StringWriter();
        Assert.Equal(2, CommandRunner.Run(["reproduce", experiment, option, value, "--out", TestData.TempFolder()], TextWriter.Null, stderr));
        Assert.Contains($"'{named}'", stderr.ToString());
    }

    [Fact]
    public void AnUnknownOrMissingExperimentIsNamed()
    {
        var stderr = new StringWriter();
        Assert.Equal(2, CommandRunner.Run(["reproduce", "fig9"], TextWriter.Null, stderr));
        Assert.Contains("unknown experiment 'fig9'", stderr.ToString());
        Assert.Equal(2, CommandRunner.Run(["reproduce"], TextWriter.Null, stderr));
        Assert.Contains("say which experiment", stderr.ToString());
    }

    [Fact]
    public void TheIwaeSettingsTrainTheBoundOfTheirK()
    {
        Assert.Equal((Objective.Elbo, 1), (IwaeSettings.PaperTrainer(1, 1).Elbo.Objective, IwaeSettings.PaperTrainer(1, 1).Elbo.K));
        Assert.Equal((Objective.Iwae, 5), (IwaeSettings.PaperTrainer(1, 1, k: 5).Elbo.Objective, IwaeSettings.PaperTrainer(1, 1, k: 5).Elbo.K));
        Assert.Equal(TrainingAlgorithm.WakeSleep, LearningAlgorithm.WakeSleep.Apply(new TrainerOptions()).Algorithm);
    }

    [Fact]
    public void AdamsEpsilonIsCheckpointedWhenItIsNotTheDefault()
    {
        TrainerOptions paper = IwaeSettings.PaperTrainer(seed: 3, threads: 1);
        string text = Vae.Simd.Checkpoints.ModelCheckpoint.FormatOptions(paper);
        Assert.Contains("adam_epsilon=0.0001", text);
        Assert.Equal(paper with { Threads = 0 }, Vae.Simd.Checkpoints.ModelCheckpoint.ParseOptions(text, "test") with { Threads = 0 });
        // The default is not written, so other checkpoints keep their bytes, and reads back as the default.
        string plain = Vae.Simd.Checkpoints.ModelCheckpoint.FormatOptions(new TrainerOptions());
        Assert.DoesNotContain("adam_epsilon", plain);
        Assert.Equal(TrainerOptions.DefaultAdamEpsilon, Vae.Simd.Checkpoints.ModelCheckpoint.ParseOptions(plain, "test").AdamEpsilon);
        Assert.Throws<ArgumentException>(() => (paper with { AdamEpsilon = 0 }).Validate());
        // And the trainer's Adam uses it.
        var trainer = new Trainer(new VariationalAutoencoder(Tiny, 1), Random(20, 12, 9, "x"), paper);
        Assert.Equal(1e-4f, Assert.IsType<Adam>(trainer.Optimizer).Epsilon);
    }

    private static TrainerOptions FigureTrainer(int n) => FigureSpec.PaperTrainer(n, threads: 1, seed: 2) with { BatchSize = 20, ShardSize = 10 };

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>Cancels after the given number of output lines (a curve prints one per point).</summary>
    private sealed class LineCounter(int lines, CancellationTokenSource cancel) : StringWriter
    {
        private int _seen;
        public override void WriteLine(string? value) { if (++_seen == lines) cancel.Cancel(); }
    }
}
