using Vae.Simd.Checkpoints;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Training;

/// <summary>The trainer's other objectives and algorithms (the IWAE bound, wake-sleep): deterministic, resumable, and they learn.</summary>
public class ObjectiveTrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Two hidden layers: the IWAE paper's architecture in miniature.
    private static readonly VaeConfig Deep = new() { InputSize = 784, HiddenSizes = [24, 16], Activation = Vae.Simd.Autodiff.Activation.Tanh, LatentSize = 4 };

    public static TheoryData<string> Modes() => ["iwae-1", "iwae-5", "wake-sleep"];

    internal static TrainerOptions OptionsFor(string mode) => new TrainerOptions
    {
        BatchSize = 40, ShardSize = 12, LearningRate = 3e-3f, Seed = 9, Binarization = new Binarization(BinarizationMode.Dynamic, Seed: 9),
    } with
    {
        Algorithm = mode == "wake-sleep" ? TrainingAlgorithm.WakeSleep : TrainingAlgorithm.Aevb,
        Elbo = mode switch
        {
            "iwae-1" => new ElboOptions { Objective = Objective.Iwae, K = 1 },
            "iwae-5" => new ElboOptions { Objective = Objective.Iwae, K = 5 },
            _ => new ElboOptions(),
        },
    };

    internal static float[] Train(int threads, int steps, TrainerOptions options, Dataset data)
    {
        using var model = new VariationalAutoencoder(Deep, 3);
        var trainer = new Trainer(model, data, options with { Threads = threads });
        for (int i = 0; i < steps; i++) trainer.TrainBatch();
        return model.Parameters.ToArray();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ResumingFromACheckpointContinuesBitwise(string mode)
    {
        ImageDataset data = TestData.Mnist.Train.Take(120);
        TrainerOptions options = OptionsFor(mode);
        float[] straight = Train(2, 5, options, data); // crosses an epoch boundary (3 batches per epoch)
        string path = Path.Combine(TestData.TempFolder(), "run.vae");
        using (var model = new VariationalAutoencoder(Deep, 3))
        {
            var trainer = new Trainer(model, data, options with { Threads = 2 });
            for (int i = 0; i < 2; i++) trainer.TrainBatch();
            ModelCheckpoint.Save(path, model, trainer);
        }
        Checkpoint file = Checkpoint.Read(path);
        TrainerOptions restored = ModelCheckpoint.LoadOptions(file);
        Assert.Equal((options.Elbo, options.Algorithm), (restored.Elbo, restored.Algorithm));
        using VariationalAutoencoder resumed = ModelCheckpoint.LoadModel(file);
        var resumedTrainer = new Trainer(resumed, data, restored with { Threads = 1 });
        ModelCheckpoint.RestoreTrainer(file, resumedTrainer);
        for (int i = 0; i < 3; i++) resumedTrainer.TrainBatch();
        Assert.Equal(straight, resumed.Parameters.ToArray());
    }

    /// <summary>A few epochs on 400 MNIST digits raise the bound each mode trains, and the test ELBO, by a wide margin.</summary>
    [Theory]
    [InlineData("iwae-5")]
    [InlineData("wake-sleep")]
    public void ShortTrainingImprovesTheBound(string mode)
    {
        ImageDataset train = TestData.Mnist.Train.Take(400), test = TestData.Mnist.Test.Take(200);
        using var model = new VariationalAutoencoder(Deep, 1);
        double before = Evaluator.Elbo(model, test, threads: 2);
        var trainer = new Trainer(model, train, OptionsFor(mode) with { LearningRate = 1e-2f });
        EpochSummary first = trainer.RunEpoch(), last = first;
        for (int epoch = 1; epoch < 6; epoch++) last = trainer.RunEpoch();
        double after = Evaluator.Elbo(model, test, threads: 2);
        output.WriteLine($"{mode}: train bound {first.TrainElbo:F1} → {last.TrainElbo:F1}; test ELBO {before:F1} → {after:F1}");
        Assert.True(last.TrainElbo - first.TrainElbo > 40, $"{mode}: the train bound went from {first.TrainElbo} to {last.TrainElbo}");
        Assert.True(after - before > 120, $"{mode}: the test ELBO went from {before} to {after}");
    }

    /// <summary>On one thread (no Parallel.For, which allocates its own loop state), a step after the first allocates nothing, in every mode.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    [InlineData("aevb")]
    public void AStepAfterTheFirstAllocatesNothing(string mode)
    {
        ImageDataset data = TestData.Mnist.Train.Take(120);
        using var model = new VariationalAutoencoder(Deep, 3);
        var trainer = new Trainer(model, data, OptionsFor(mode) with { Threads = 1 });
        for (int i = 0; i < 4; i++) trainer.TrainBatch(); // the epoch boundary too, and every shard's buffers grown
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) trainer.TrainBatch();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OptionsThatDoNotFitTheObjectiveAreRefusedByName()
    {
        Assert.Contains("K", Assert.Throws<ArgumentException>(() => new ElboOptions { K = 5 }.Validate()).Message);
        Assert.Contains("Samples", Assert.Throws<ArgumentException>(() => new ElboOptions { Objective = Objective.Iwae, K = 5, Samples = 2 }.Validate()).Message);
        Assert.Contains("K must be", Assert.Throws<ArgumentException>(() => new ElboOptions { Objective = Objective.Iwae, K = 0 }.Validate()).Message);
        Assert.Contains("wake-sleep", Assert.Throws<ArgumentException>(() => new TrainerOptions { Algorithm = TrainingAlgorithm.WakeSleep, Elbo = new ElboOptions { Objective = Objective.Iwae, K = 2 } }.Validate()).Message);
    }

    /// <summary>Options recorded before the objective existed read as the ELBO; an ELBO run writes them exactly as before (no new lines).</summary>
    [Fact]
    public void OldTrainerOptionsLoadAsTheElbo()
    {
        string text = ModelCheckpoint.FormatOptions(new TrainerOptions());
        Assert.DoesNotContain("objective", text);
        Assert.DoesNotContain("algorithm", text);
        TrainerOptions parsed = ModelCheckpoint.ParseOptions(text, "old.vae");
        Assert.Equal((Objective.Elbo, 1), (parsed.Elbo.Objective, parsed.Elbo.K));
        Assert.Equal(new TrainerOptions().Elbo, parsed.Elbo);
        Assert.Equal(TrainingAlgorithm.Aevb, parsed.Algorithm);
    }
}
