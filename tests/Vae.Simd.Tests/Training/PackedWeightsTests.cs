using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Kernels;
using Vae.Simd.Model;
using Vae.Simd.Tensors;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Training;

/// <summary>
/// The trainer's weights packed once per step and shared by its shards (<see cref="PackedWeights"/>) leave
/// training bitwise unchanged, for every objective and algorithm, with any thread count; and the products really
/// read the shared panels.
/// </summary>
public class PackedWeightsTests
{
    // Layers wider than 64 in both directions, so that forward and backward products have packs (latent 70 > 64 too).
    private static readonly VaeConfig Wide = new() { InputSize = 784, HiddenSizes = [96, 80], LatentSize = 70, Activation = Activation.Tanh };

    public static TheoryData<string> Settings() => ["elbo", "iwae", "wake-sleep"];

    [Theory]
    [MemberData(nameof(Settings))]
    public void SharedPacksGiveThePerProductPackingsBits(string setting)
    {
        ImageDataset data = TestData.Mnist.Train.Take(150);
        var options = new TrainerOptions { BatchSize = 50, ShardSize = 20, Seed = 6, Binarization = new Binarization(BinarizationMode.Dynamic, Seed: 6) };
        options = setting switch
        {
            "iwae" => options with { Elbo = new ElboOptions { Objective = Objective.Iwae, K = 3 } },
            "wake-sleep" => options with { Algorithm = TrainingAlgorithm.WakeSleep },
            _ => options,
        };
        float[] perProduct = Train(data, options, threads: 1, packWeights: false);
        foreach (int threads in new[] { 1, 2, 3 })
            Assert.Equal(perProduct, Train(data, options, threads, packWeights: true));
    }

    [Fact]
    public void EveryWideLayerIsPackedExceptTheFirstLayersBackward()
    {
        var layout = new ParameterLayout(Wide);
        var packs = new PackedWeights(layout, threads: 2);
        ReadOnlySpan<PackedWeight?> byLayer = packs.ByLayer;
        Assert.Equal(layout.Layers.Count, byLayer.Length);
        for (int i = 0; i < byLayer.Length; i++)
        {
            LayerParameters layer = layout.Layers[i];
            Assert.Equal(layer.Outputs > TransposedProduct.MaxColumns, byLayer[i]?.Forward is not null);
            Assert.Equal(layer.Inputs > TransposedProduct.MaxColumns && i > 0, byLayer[i]?.Backward is not null);
        }
        // Two parts per operand for two threads.
        int operands = 0;
        foreach (PackedWeight? w in byLayer) operands += (w?.Forward is null ? 0 : 1) + (w?.Backward is null ? 0 : 1);
        Assert.Equal(2 * operands, packs.Items);
    }

    [Fact]
    public void LinearReadsTheAttachedPanelsNotTheWeight()
    {
        // Panels packed from other values than the weight's: the forward and the input gradient follow the panels,
        // which shows the products read them (and that the test above compares something).
        const int Rows = 5, Inputs = 70, Outputs = 90;
        var random = new Random(3);
        float[] w = Kernels.GemmTests.Filled(random, Outputs * Inputs), other = Kernels.GemmTests.Filled(random, Outputs * Inputs);
        float[] bias = new float[Outputs], x = Kernels.GemmTests.Filled(random, Rows * Inputs);
        (float[] plainY, float[] plainDx) = Run(w, null);
        (float[] otherY, float[] otherDx) = Run(other, null);
        var forward = new PackedOperand(Transpose.Yes, Inputs, Outputs);
        var backward = new PackedOperand(Transpose.No, Outputs, Inputs);
        forward.Pack(other, Inputs);
        backward.Pack(other, Inputs);
        (float[] packedY, float[] packedDx) = Run(w, new PackedWeight(forward, backward));
        Assert.NotEqual(plainY, otherY);
        Assert.Equal(otherY, packedY);
        Assert.Equal(otherDx, packedDx);
        Assert.NotEqual(plainDx, packedDx);

        (float[] Y, float[] Dx) Run(float[] weight, PackedWeight? packed)
        {
            var tape = new Tape<float>();
            Var wv = tape.Parameter(weight.AsMemory(), new float[weight.Length].AsMemory(), TensorShape.Matrix(Outputs, Inputs));
            Var bv = tape.Parameter(bias.AsMemory(), new float[Outputs].AsMemory(), TensorShape.Vector(Outputs));
            if (packed != null) tape.UsePackedWeight(wv, packed);
            Var xv = tape.Variable(x, TensorShape.Matrix(Rows, Inputs));
            Var y = tape.Linear(xv, wv, bv, Activation.Tanh);
            tape.Backward(tape.Sum(y));
            return (tape.Value(y).ToArray(), tape.Gradient(xv).ToArray());
        }
    }

    [Fact]
    public void PanelsOfAnotherShapeAreRefused()
    {
        var tape = new Tape<float>();
        Var w = tape.Parameter(new float[90 * 70].AsMemory(), new float[90 * 70].AsMemory(), TensorShape.Matrix(90, 70));
        var transposedWrongly = new PackedOperand(Transpose.Yes, 90, 70);
        Assert.Throws<ArgumentException>(() => tape.UsePackedWeight(w, new PackedWeight(transposedWrongly, null)));
        Assert.Throws<ArgumentException>(() => tape.UsePackedWeight(w, new PackedWeight(null, new PackedOperand(Transpose.Yes, 90, 70))));
    }

    private static float[] Train(Dataset data, TrainerOptions options, int threads, bool packWeights)
    {
        using var model = new VariationalAutoencoder(Wide, 3);
        var trainer = new Trainer(model, data, options with { Threads = threads }, packWeights);
        for (int i = 0; i < 4; i++) trainer.TrainBatch();
        return model.Parameters.ToArray();
    }
}
