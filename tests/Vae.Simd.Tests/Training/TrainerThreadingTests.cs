using Vae.Simd.Data;
using Vae.Simd.Tests.Model;
using Vae.Simd.Model;
using Vae.Simd.Training;
using static Vae.Simd.Tests.Training.TrainerTests;

namespace Vae.Simd.Tests.Training;

/// <summary>
/// The trainer's results do not depend on the thread count — for every objective, algorithm and decoder — checked
/// where the threads really run (<see cref="ThreadedCollection"/>), with a check that they did.
/// </summary>
[Collection(nameof(ThreadedCollection))]
public class TrainerThreadingTests
{
    [Fact]
    public void ParametersAreBitwiseTheSameWithOneThreadOrEight()
    {
        ImageDataset data = Subset(300);
        var options = new TrainerOptions { BatchSize = 50, ShardSize = 12, Seed = 4, Binarization = new Binarization(BinarizationMode.Dynamic, Seed: 4) };
        float[] one = Train(1, 8, options, data);
        float[] eight = [], three = [];
        int eightUsed = ParallelLoops.ThreadsUsedBy(() => eight = Train(8, 8, options, data));
        int threeUsed = ParallelLoops.ThreadsUsedBy(() => three = Train(3, 8, options, data));
        Assert.True(eightUsed > 1 && threeUsed > 1, $"the steps ran on {eightUsed} and {threeUsed} threads: the comparison below would not test threading");
        Assert.Equal(one, eight);
        Assert.Equal(one, three);
        Assert.NotEqual(one, Train(1, 8, options with { Seed = 5 }, data));

        // The update runs in chunks of the flat parameter buffer, spread over the threads: every stretch of
        // 4,096 parameters (the chunk granule) must have moved, so no chunk is skipped under any thread count.
        using var initial = new VariationalAutoencoder(TrainerTests.Small, 3);
        float[] start = initial.Parameters.ToArray();
        Assert.True(start.Length >= 8 * 4096, "the model must span several update chunks");
        for (int block = 0; block < start.Length; block += 4096)
        {
            int end = Math.Min(start.Length, block + 4096);
            Assert.True(Enumerable.Range(block, end - block).Any(i => one[i] != start[i]), $"parameters {block}..{end} never moved");
        }
    }

    [Theory]
    [MemberData(nameof(ObjectiveTrainingTests.Modes), MemberType = typeof(ObjectiveTrainingTests))]
    public void ParametersAreBitwiseTheSameWithAnyThreadCount(string mode)
    {
        ImageDataset data = TestData.Mnist.Train.Take(120);
        TrainerOptions options = ObjectiveTrainingTests.OptionsFor(mode);
        float[] one = ObjectiveTrainingTests.Train(1, 4, options, data);
        float[] three = [];
        int used = ParallelLoops.ThreadsUsedBy(() => three = ObjectiveTrainingTests.Train(3, 4, options, data));
        Assert.True(used > 1, $"the steps ran on {used} thread: the comparison below would not test threading");
        Assert.Equal(one, three);
        Assert.NotEqual(one, ObjectiveTrainingTests.Train(1, 4, options with { Seed = 10 }, data));
    }

    [Theory]
    [MemberData(nameof(DecoderLikelihoodTests.Decoders), MemberType = typeof(DecoderLikelihoodTests))]
    public void EveryDecoderTrainsToTheSameBitsWithOneTwoOrEightThreads(Likelihood likelihood, GaussianVariance variance)
    {
        var data = TestData.Mnist.Train.Take(200);
        var config = new VaeConfig { HiddenSizes = [16], LatentSize = 3, Likelihood = likelihood, GaussianVariance = variance };
        float[] Train(int threads)
        {
            using var model = new VariationalAutoencoder(config, 2);
            var trainer = new Trainer(model, data, new TrainerOptions { BatchSize = 40, ShardSize = 9, Seed = 6, Threads = threads, Elbo = new ElboOptions { Samples = 2 } });
            for (int i = 0; i < 6; i++) trainer.TrainBatch();
            return model.Parameters.ToArray();
        }
        float[] one = Train(1), two = [], eight = [];
        int twoUsed = ParallelLoops.ThreadsUsedBy(() => two = Train(2));
        int eightUsed = ParallelLoops.ThreadsUsedBy(() => eight = Train(8));
        Assert.True(twoUsed > 1 && eightUsed > 1, $"the steps ran on {twoUsed} and {eightUsed} threads: the comparison below would not test threading");
        Assert.Equal(one, two);
        Assert.Equal(one, eight);
    }
}
