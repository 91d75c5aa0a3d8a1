using Vae.Simd.Autodiff;
using Vae.Simd.Kernels;
using Vae.Simd.Model;

namespace Vae.Simd.Training;

/// <summary>
/// The model's large weights packed once per step into the GEMM's panel layout, shared read-only by every
/// shard: without it each shard packs every weight again for each product that reads it (784 × 400 floats,
/// three times a shard in the 784-400-20 model; packing was 12–14 % of a one-thread step). The bits of every
/// product are those of packing per call (<see cref="PackedOperand"/>).
/// </summary>
/// <remarks>
/// Packed: the forward's x·Wᵀ of each layer with more than <see cref="TransposedProduct.MaxColumns"/> outputs (narrower
/// products are evaluated transposed, with W as the A operand), and the backward's g·W of each layer with more than
/// that many inputs, except the first encoder layer, whose input is data and gets no gradient. The packing is cut
/// into work items, several per operand, so that the threads of a step share it.
/// </remarks>
internal sealed class PackedWeights
{
    private readonly PackedWeight?[] _byLayer;
    private readonly (PackedOperand Operand, int Offset, int Ldb, int FirstPanel, int EndPanel)[] _items;

    public PackedWeights(ParameterLayout layout, int threads)
    {
        IReadOnlyList<LayerParameters> layers = layout.Layers;
        _byLayer = new PackedWeight?[layers.Count];
        var items = new List<(PackedOperand, int, int, int, int)>();
        for (int i = 0; i < layers.Count; i++)
        {
            LayerParameters layer = layers[i];
            int inputs = layer.Inputs, outputs = layer.Outputs;
            PackedOperand? forward = outputs > TransposedProduct.MaxColumns ? new PackedOperand(Transpose.Yes, inputs, outputs) : null;
            bool inputIsData = i == 0;
            PackedOperand? backward = inputs > TransposedProduct.MaxColumns && !inputIsData ? new PackedOperand(Transpose.No, outputs, inputs) : null;
            if (forward is null && backward is null) continue;
            _byLayer[i] = new PackedWeight(forward, backward);
            foreach (PackedOperand? operand in (ReadOnlySpan<PackedOperand?>)[forward, backward])
            {
                if (operand is null) continue;
                // W is [outputs × inputs] with row stride inputs, read transposed or not.
                for (int part = 0; part < threads; part++)
                {
                    int first = (int)((long)operand.Panels * part / threads), end = (int)((long)operand.Panels * (part + 1) / threads);
                    if (first < end) items.Add((operand, (int)layer.Weight.Offset, inputs, first, end));
                }
            }
        }
        _items = [.. items];
    }

    /// <summary>Work items of <see cref="Pack"/>; each may run on any thread, all before the step's first product.</summary>
    public int Items => _items.Length;

    /// <summary>Packs item <paramref name="item"/> from the current <paramref name="parameters"/>.</summary>
    public void Pack(ReadOnlySpan<float> parameters, int item)
    {
        (PackedOperand operand, int offset, int ldb, int first, int end) = _items[item];
        operand.Pack(parameters[offset..], ldb, first, end);
    }

    /// <summary>The packs by layer, for <see cref="VaeGraph{T}.UsePackedWeights"/>.</summary>
    public ReadOnlySpan<PackedWeight?> ByLayer => _byLayer;
}
