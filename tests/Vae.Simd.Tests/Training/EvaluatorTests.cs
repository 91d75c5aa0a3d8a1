using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Training;

/// <summary>
/// The evaluator's scores are the same bits with any thread count (checked where the threads really run, see
/// <see cref="ThreadedCollection"/>), and its batching loses, repeats or re-seeds no example.
/// </summary>
[Collection(nameof(ThreadedCollection))]
public class EvaluatorTests
{
    [Fact]
    public void TheElboIsTheSameWithAnyThreadCountAndIsTheMeanOfEveryExamplesElbo()
    {
        // 2,345 examples: four full batches of 500 and a short one.
        ImageDataset data = TestData.Mnist.Test.Take(2345);
        using var model = new VariationalAutoencoder(TrainerTests.Small, 7);
        const ulong Seed = 11;
        double one = Evaluator.Elbo(model, data, threads: 1, Seed, samples: 2);
        double two = 0, eight = 0;
        int twoUsed = ParallelLoops.ThreadsUsedBy(() => two = Evaluator.Elbo(model, data, threads: 2, Seed, samples: 2));
        int eightUsed = ParallelLoops.ThreadsUsedBy(() => eight = Evaluator.Elbo(model, data, threads: 8, Seed, samples: 2));
        Assert.True(twoUsed > 1 && eightUsed > 1, $"the evaluation ran on {twoUsed} and {eightUsed} threads: the comparison below would not test threading");
        Assert.Equal(one, two);
        Assert.Equal(one, eight);

        // Every example scored once, with its own noise (seeded by its index): the whole set as one batch.
        var x = new float[data.Count * data.Features];
        data.CopyBatch(Enumerable.Range(0, data.Count).ToArray(), x);
        var elbo = new float[data.Count];
        model.Elbo(x, elbo, samples: 2, Seed, firstRow: 0);
        double mean = elbo.Sum(v => (double)v) / data.Count;
        Assert.True(Math.Abs(one - mean) <= 1e-9 * Math.Abs(mean), $"the evaluator's ELBO {one} is not the mean of the examples' ELBOs {mean}");
        Assert.NotEqual(one, Evaluator.Elbo(model, data, threads: 1, seed: Seed + 1, samples: 2));
    }

    [Fact]
    public void TheLogLikelihoodIsTheSameWithAnyThreadCountAndIsTheMeanOfEveryExamplesEstimate()
    {
        ImageDataset data = TestData.Mnist.Test.Take(200);
        using var model = new VariationalAutoencoder(TrainerTests.Small, 8);
        const ulong Seed = 5;
        const int Samples = 20, Limit = 150;
        double one = Evaluator.LogLikelihood(model, data, Samples, Limit, threads: 1, Seed);
        double three = 0;
        int used = ParallelLoops.ThreadsUsedBy(() => three = Evaluator.LogLikelihood(model, data, Samples, Limit, threads: 3, Seed));
        Assert.True(used > 1, $"the evaluation ran on {used} thread: the comparison below would not test threading");
        Assert.Equal(one, three);

        // The first Limit examples, each with its own stream of samples.
        double sum = 0;
        var x = new float[data.Features];
        var estimate = new float[1];
        for (int i = 0; i < Limit; i++)
        {
            data.CopyBatch([i], x);
            model.LogLikelihood(x, Samples, estimate, Seed ^ (ulong)i * 0x9E3779B97F4A7C15UL);
            sum += estimate[0];
        }
        Assert.True(Math.Abs(one - sum / Limit) <= 1e-9 * Math.Abs(one), $"the evaluator's log-likelihood {one} is not the mean of the examples' estimates {sum / Limit}");
    }
}
