using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vae.Simd.Autodiff;
using Vae.Simd.Kernels;

namespace Vae.Simd.Model;

/// <summary>
/// The encoder q(z|x) for inference on transposed copies of its weights: each hidden layer's Wᵀ
/// [inputs × outputs] and the two heads side by side ([hidden × 2·latent], μ's columns first), so that every
/// product reads only the weight rows of its non-zero inputs (<see cref="SparseRows"/>): an MNIST image's
/// ~150 lit pixels, then the ReLU outputs that are not zero.
/// </summary>
/// <remarks>
/// <para>
/// Bits: the products are the GEMM's (see <see cref="SparseRows"/>), the bias and activation passes are
/// <see cref="LinearOp"/>'s, so <c>Encode</c> gives the graph's results whichever path it takes and however a
/// batch is cut (the one exception, inherited from zero-skipping: an output that is exactly zero may differ
/// in the sign of that zero).
/// </para>
/// <para>
/// Keeping the copies current: <see cref="VariationalAutoencoder.Parameters"/> is a writable span, so this
/// type cannot see writes. The model instead bumps a version whenever it hands out a writable view of its
/// parameters (<see cref="VariationalAutoencoder.Parameters"/>, the trainer's and optimizer's internal
/// access, <see cref="VariationalAutoencoder.Initialize"/>; loaders write through <c>Parameters</c>), and
/// <see cref="Refresh"/> rebuilds the copies when the version moved since they were built. A rebuild
/// (~0.5 ms for 784-400-20, measured) is paid by the first inference call after a change; a model that is only read
/// rebuilds nothing. One copy per model, shared by the threads: a rebuild runs under a lock, readers only
/// read.
/// </para>
/// </remarks>
internal sealed class TransposedEncoder
{
    /// <summary>Rows encoded together: bounds the step lists to 32 × the widest layer ints; each block of Wᵀ columns serves all of them in turn.</summary>
    internal const int RowsPerChunk = 32;

    private readonly VaeConfig _config;
    private readonly ParameterLayout _layout;
    private readonly object _gate = new();
    private float[][] _weights = [];
    private int[] _offsets = [], _strides = [];
    private bool[] _finite = [];
    private long _builtVersion = -1;

    public TransposedEncoder(VaeConfig config, ParameterLayout layout)
    {
        _config = config;
        _layout = layout;
    }

    /// <summary>Times the copies were (re)built, for tests.</summary>
    internal long Builds { get; private set; }

    /// <summary>Rebuilds the copies from <paramref name="parameters"/> unless they were built at <paramref name="version"/>.</summary>
    /// <remarks>The caller reads the version BEFORE the parameters: a change during a rebuild leaves an older version recorded, so the next call rebuilds again.</remarks>
    public void Refresh(float[] parameters, long version)
    {
        if (Volatile.Read(ref _builtVersion) == version) return;
        lock (_gate)
        {
            if (_builtVersion == version) return;
            IReadOnlyList<LayerParameters> hidden = _layout.EncoderHidden;
            if (_weights.Length == 0) Allocate();
            for (int l = 0; l < hidden.Count; l++)
                _finite[l] = Transpose(parameters, hidden[l], Weights(l), _strides[l], 0);
            int latent = _layout.Mean.Outputs;
            _finite[hidden.Count] = Transpose(parameters, _layout.Mean, Weights(hidden.Count), _strides[hidden.Count], 0)
                & Transpose(parameters, _layout.LogVariance, Weights(hidden.Count), _strides[hidden.Count], latent);
            Builds++;
            Volatile.Write(ref _builtVersion, version);
        }
    }

    /// <summary>
    /// One pinned array per copy, its rows starting on 64-byte lines (see <see cref="SparseRows.Multiply"/>): the
    /// row stride rounded up to 16 floats and the start placed at an aligned offset; pinned (never moved by
    /// the GC), so the offset stays right. The padding columns stay zero and are never read.
    /// </summary>
    private void Allocate()
    {
        IReadOnlyList<LayerParameters> hidden = _layout.EncoderHidden;
        int count = hidden.Count + 1;
        var weights = new float[count][];
        int[] offsets = new int[count], strides = new int[count];
        for (int l = 0; l < count; l++)
        {
            int inputs = l < hidden.Count ? hidden[l].Inputs : _layout.Mean.Inputs;
            int outputs = l < hidden.Count ? hidden[l].Outputs : 2 * _layout.Mean.Outputs;
            strides[l] = (outputs + 15) / 16 * 16;
            weights[l] = GC.AllocateArray<float>(checked(inputs * strides[l] + 16), pinned: true);
            offsets[l] = LineOffset(weights[l]);
        }
        _weights = weights;
        _offsets = offsets;
        _strides = strides;
        _finite = new bool[count];
    }

    /// <summary>The first index of a pinned array at a 64-byte boundary.</summary>
    private static unsafe int LineOffset(float[] pinned)
    {
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (int)((64 - address % 64) % 64 / sizeof(float));
    }

    /// <summary>Copy <paramref name="layer"/> (the hidden layers, then both heads).</summary>
    private Span<float> Weights(int layer) => _weights[layer].AsSpan(_offsets[layer], _weights[layer].Length - 16);

    /// <summary>
    /// μ and log σ² [rows × latent] of the rows of <paramref name="x"/> [rows × input], with the copies built by
    /// <see cref="Refresh"/> and the biases read from <paramref name="parameters"/>.
    /// </summary>
    public void Encode(ReadOnlySpan<float> x, int rows, float[] parameters, Span<float> mean, Span<float> logVariance, InferenceWorkspace workspace)
    {
        IReadOnlyList<LayerParameters> hidden = _layout.EncoderHidden;
        int widest = _config.InputSize, latent = _layout.Mean.Outputs;
        for (int l = 0; l < hidden.Count; l++) widest = Math.Max(widest, hidden[l].Outputs);
        widest = Math.Max(widest, 2 * latent);
        Span<int> indices = workspace.Indices(RowsPerChunk * (widest + 1));
        for (int start = 0; start < rows; start += RowsPerChunk)
        {
            int m = Math.Min(RowsPerChunk, rows - start);
            ReadOnlySpan<float> input = x.Slice(start * _config.InputSize, m * _config.InputSize);
            int width = _config.InputSize, buffer = 0;
            for (int l = 0; l < hidden.Count; l++)
            {
                LayerParameters layer = hidden[l];
                Span<float> output = workspace.Buffer(buffer, m * layer.Outputs);
                Product(input, m, width, l, layer.Outputs, indices, output);
                ReadOnlySpan<float> bias = parameters.AsSpan(layer.Bias.Offset, layer.Bias.Length);
                TensorMath<float>.AddRowBias(output, m, bias);
                if (_config.Activation == Activation.Relu) TensorMath<float>.Relu(output, output);
                else if (_config.Activation == Activation.Tanh) TensorMath<float>.Tanh(output, output);
                input = output;
                width = layer.Outputs;
                buffer ^= 1;
            }
            Span<float> heads = workspace.Buffer(buffer, m * 2 * latent);
            Product(input, m, width, hidden.Count, 2 * latent, indices, heads);
            Span<float> mu = mean.Slice(start * latent, m * latent), lv = logVariance.Slice(start * latent, m * latent);
            for (int r = 0; r < m; r++)
            {
                heads.Slice(r * 2 * latent, latent).CopyTo(mu.Slice(r * latent, latent));
                heads.Slice(r * 2 * latent + latent, latent).CopyTo(lv.Slice(r * latent, latent));
            }
            TensorMath<float>.AddRowBias(mu, m, parameters.AsSpan(_layout.Mean.Bias.Offset, latent));
            TensorMath<float>.AddRowBias(lv, m, parameters.AsSpan(_layout.LogVariance.Bias.Offset, latent));
        }
    }

    /// <summary>output [m × outputs] = input [m × inputs] · W of layer <paramref name="layer"/>, over the non-zero inputs (all inputs when a weight is not finite).</summary>
    private void Product(ReadOnlySpan<float> input, int m, int inputs, int layer, int outputs, Span<int> indices, Span<float> output)
    {
        Span<int> steps = indices.Slice(0, m * inputs), counts = indices.Slice(m * inputs, m);
        for (int r = 0; r < m; r++)
            counts[r] = SparseRows.ListSteps(input.Slice(r * inputs, inputs), steps.Slice(r * inputs, inputs), skipZeros: _finite[layer]);
        SparseRows.Multiply(m, inputs, outputs, input, steps, counts, Weights(layer), _strides[layer], output);
    }

    /// <summary>
    /// Writes layer W [outputs × inputs] transposed into <paramref name="destination"/> [inputs × <paramref name="stride"/>]
    /// from column <paramref name="column"/> on; returns whether every weight is finite (zero inputs may be skipped then).
    /// </summary>
    private static bool Transpose(float[] parameters, LayerParameters layer, Span<float> destination, int stride, int column)
    {
        ReadOnlySpan<float> w = parameters.AsSpan(layer.Weight.Offset, layer.Weight.Length);
        int outputs = layer.Outputs, inputs = layer.Inputs;
        const int Tile = 16; // a 16 × 16 tile: the rows read and the rows written both stay in L1
        bool finite = true;
        for (int r0 = 0; r0 < outputs; r0 += Tile)
            for (int c0 = 0; c0 < inputs; c0 += Tile)
                for (int r = r0; r < Math.Min(outputs, r0 + Tile); r++)
                    for (int c = c0; c < Math.Min(inputs, c0 + Tile); c++)
                    {
                        float v = w[r * inputs + c];
                        finite &= float.IsFinite(v);
                        destination[c * stride + column + r] = v;
                    }
        return finite;
    }
}
