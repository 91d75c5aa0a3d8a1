using Vae.Simd.Checkpoints;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Training;

public class TrainerTests
{
    internal static readonly VaeConfig Small = new() { InputSize = 784, HiddenSizes = [32], LatentSize = 4 };

    internal static ImageDataset Subset(int count) => TestData.Mnist.Train.Take(count);

    internal static float[] Train(int threads, int steps, TrainerOptions options, Dataset data)
    {
        using var model = new VariationalAutoencoder(Small, 3);
        var trainer = new Trainer(model, data, options with { Threads = threads });
        for (int i = 0; i < steps; i++) trainer.TrainBatch();
        return model.Parameters.ToArray();
    }

    /// <summary>
    /// The step does not depend on how the minibatch is cut: one shard, or several with a short last one
    /// (50 = 4 × 12 + 2, 7 × 7 + 1, …), give the same update up to float rounding of the shard sums. A lost or
    /// doubled shard moves the update by several percent. Three steps over 110 examples also cover a short
    /// last batch (50, 50, 10) that is smaller than some shard sizes.
    /// </summary>
    [Fact]
    public void OneShardOrSeveralWithAShortLastShardGiveTheSameStep()
    {
        ImageDataset data = Subset(110);
        var options = new TrainerOptions { BatchSize = 50, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05f, Seed = 6 };
        using var initial = new VariationalAutoencoder(Small, 3);
        float[] start = initial.Parameters.ToArray();
        float[] oneShard = Train(2, 3, options with { ShardSize = 50 }, data);
        double largest = oneShard.Select((v, i) => Math.Abs(v - (double)start[i])).Max();
        Assert.True(largest > 0);
        foreach (int shardSize in new[] { 12, 7, 49, 16, 1 })
        {
            float[] sharded = Train(2, 3, options with { ShardSize = shardSize }, data);
            for (int i = 0; i < start.Length; i++)
            {
                double a = oneShard[i] - (double)start[i], b = sharded[i] - (double)start[i];
                // Float sums of the same terms in another order: well within 1e-4 of the largest update.
                if (Math.Abs(a - b) > 1e-4 * largest)
                    throw new Xunit.Sdk.XunitException($"shard size {shardSize}: parameter {i} moved by {b}, with one shard by {a} (largest update {largest})");
            }
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Adam, Estimator.Analytic, 1)]
    [InlineData(OptimizerKind.Adagrad, Estimator.MonteCarlo, 2)]
    public void ResumingFromACheckpointContinuesBitwise(OptimizerKind optimizer, Estimator estimator, int samples)
    {
        ImageDataset data = Subset(200);
        var options = new TrainerOptions { BatchSize = 64, ShardSize = 32, Optimizer = optimizer, LearningRate = 0.01f, Seed = 8, Elbo = new ElboOptions { Estimator = estimator, Samples = samples, WarmupSteps = 5 } };
        float[] straight = Train(2, 7, options, data); // crosses an epoch boundary (4 batches per epoch)

        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "run.vae");
        using (var model = new VariationalAutoencoder(Small, 3))
        {
            var trainer = new Trainer(model, data, options with { Threads = 2 });
            for (int i = 0; i < 3; i++) trainer.TrainBatch();
            ModelCheckpoint.Save(path, model, trainer);
        }
        Checkpoint file = Checkpoint.Read(path);
        using VariationalAutoencoder resumed = ModelCheckpoint.LoadModel(file);
        var resumedTrainer = new Trainer(resumed, data, ModelCheckpoint.LoadOptions(file) with { Threads = 1 });
        ModelCheckpoint.RestoreTrainer(file, resumedTrainer);
        Assert.Equal(3, resumedTrainer.Step);
        for (int i = 0; i < 4; i++) resumedTrainer.TrainBatch();
        Assert.Equal(straight, resumed.Parameters.ToArray());
        Assert.Empty(Directory.GetFiles(folder, "*.tmp*"));
    }

    [Fact]
    public void StepsContinueIntoTheNextEpoch()
    {
        ImageDataset data = Subset(100);
        using var model = new VariationalAutoencoder(Small, 3);
        var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = 50 });
        trainer.TrainBatch();
        trainer.TrainBatch();
        float[] endOfEpoch = model.Parameters.ToArray();
        trainer.TrainBatch();
        Assert.Equal((1, 1, 3L), (trainer.Epoch, trainer.BatchInEpoch, trainer.Step));
        Assert.NotEqual(endOfEpoch, model.Parameters.ToArray());
    }

    [Fact]
    public void ShortTrainingOnRealMnistImprovesTheElboByAWideMargin()
    {
        DataSplit mnist = TestData.Mnist;
        ImageDataset train = mnist.Train.Take(10000), test = mnist.Test.Take(1000);
        using var model = new VariationalAutoencoder(new VaeConfig { HiddenSizes = [200], LatentSize = 10 }, 1);
        double before = Evaluator.Elbo(model, test, threads: 2);
        var trainer = new Trainer(model, train, new TrainerOptions { Seed = 1 });
        EpochSummary first = trainer.RunEpoch();
        for (int epoch = 1; epoch < 4; epoch++) trainer.RunEpoch();
        double after = Evaluator.Elbo(model, test, threads: 2);
        // From about −543 nats (an untrained decoder) to better than −160 in four epochs of 10,000 images (~310 steps).
        Assert.True(before < -450, $"untrained test ELBO {before}");
        Assert.True(after > -160, $"test ELBO after training {after}");
        Assert.True(after - before > 300, $"improved by only {after - before} nats");
        Assert.True(first.Completed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void DivergenceStopsWithTheStepAndKeepsTheLastGoodParameters(int threads)
    {
        var data = new PoisonedDataset(Subset(100), poisoned: 37);
        using var model = new VariationalAutoencoder(Small, 3);
        var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = 10, ShardSize = 5, Seed = 2, Threads = threads });
        float[] before = [];
        var error = Assert.Throws<TrainingDivergedException>(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                before = model.Parameters.ToArray();
                trainer.TrainBatch();
            }
        });
        Assert.Contains($"step {error.Step}", error.Message);
        Assert.Equal(error.Step, trainer.Step);
        Assert.Equal(before, model.Parameters.ToArray());
        Assert.All(before, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>A data set whose one example turns to NaN, as corrupt data in memory would.</summary>
    private sealed class PoisonedDataset(Dataset inner, int poisoned) : Dataset
    {
        private readonly float[] _row = new float[inner.Features];
        private readonly int[] _index = new int[1];
        public override int Count => inner.Count;
        public override int Features => inner.Features;
        public override string Source => "poisoned";
        protected override void CopyRow(int index, Span<float> destination)
        {
            _index[0] = index;
            inner.CopyBatch(_index, _row);
            _row.CopyTo(destination);
            if (index == poisoned) destination[100] = float.NaN;
        }
    }

    [Fact]
    public void CancellationStopsAtTheEndOfAStep()
    {
        ImageDataset data = Subset(500);
        using var model = new VariationalAutoencoder(Small, 3);
        var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = 50 });
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p => { if (p.Step == 3) cancel.Cancel(); });
        Assert.Equal(10, trainer.BatchesPerEpoch);
        EpochSummary summary = trainer.RunEpoch(progress, cancel.Token);
        Assert.False(summary.Completed);
        Assert.Equal(3, trainer.Step);
        Assert.Equal(3, trainer.BatchInEpoch);
    }

    [Fact]
    public void MismatchedDataAndBadOptionsAreRefused()
    {
        using var model = new VariationalAutoencoder(Small with { InputSize = 10 }, 3);
        Assert.Contains("784", Assert.Throws<ArgumentException>(() => new Trainer(model, Subset(10), new TrainerOptions())).Message);
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => new TrainerOptions { BatchSize = 0 }.Validate()).Message);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
