using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Kernels;

/// <summary>Training on MNIST with the first layer's zero pixels skipped gives the dense path's parameters, bit for bit.</summary>
public class SparseTrainingTests
{
    private static readonly VaeConfig Small = new() { InputSize = 784, HiddenSizes = [32], LatentSize = 4 };

    [Fact]
    public void SkippingZeroPixelsLeavesTrainingBitwiseUnchanged()
    {
        ImageDataset data = TestData.Mnist.Train.Take(200);
        var options = new TrainerOptions { BatchSize = 50, ShardSize = 25, Seed = 9 };
        double saved = LinearOp.SparseInputZeroFraction;
        try
        {
            LinearOp.SparseInputZeroFraction = 2.0; // never sparse
            float[] dense = Train(data, options, threads: 1);
            LinearOp.SparseInputZeroFraction = 0.0; // always sparse
            long before = Interlocked.Read(ref LinearOp.SparseProducts);
            float[] sparse = Train(data, options, threads: 2);
            Assert.True(Interlocked.Read(ref LinearOp.SparseProducts) - before >= 6 * 2 * 2, "the sparse products did not run");
            Assert.Equal(dense, sparse);
        }
        finally
        {
            LinearOp.SparseInputZeroFraction = saved;
        }
    }

    private static float[] Train(Dataset data, TrainerOptions options, int threads)
    {
        using var model = new VariationalAutoencoder(Small, 3);
        var trainer = new Trainer(model, data, options with { Threads = threads });
        for (int i = 0; i < 6; i++) trainer.TrainBatch();
        return model.Parameters.ToArray();
    }
}
