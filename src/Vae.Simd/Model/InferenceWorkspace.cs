using Vae.Simd.Autodiff;

namespace Vae.Simd.Model;

/// <summary>One thread's inference tape and graph builder over a model's parameters, and its scratch buffers; grown on demand, then reused.</summary>
internal sealed class InferenceWorkspace
{
    private readonly float[] _parameters;
    private readonly Tape<float> _tape = new(recordGradients: false);
    private readonly float[][] _buffers = [[], []];
    private int[] _indices = [];

    /// <summary>A workspace reading <paramref name="parameters"/>, the model's buffer (passed in: reading <see cref="VariationalAutoencoder.ParameterArray"/> would count as a change).</summary>
    public InferenceWorkspace(VariationalAutoencoder model, float[] parameters)
    {
        _parameters = parameters;
        Graph = new VaeGraph<float>(model.Config, model.Layout);
    }

    public VaeGraph<float> Graph { get; }

    public Tape<float> Tape => _tape;

    /// <summary>Starts a graph: the tape reset, the parameters bound (no gradients), an input of <paramref name="rows"/> examples recorded.</summary>
    public Var Begin(int rows) => Graph.Begin(_tape, _parameters, Memory<float>.Empty, rows);

    /// <summary>Scratch buffer <paramref name="index"/> (0 or 1) of at least <paramref name="length"/> floats.</summary>
    public Span<float> Buffer(int index, int length)
    {
        if (_buffers[index].Length < length) _buffers[index] = new float[length];
        return _buffers[index].AsSpan(0, length);
    }

    /// <summary>Scratch integers (step lists) of at least <paramref name="length"/>.</summary>
    public Span<int> Indices(int length)
    {
        if (_indices.Length < length) _indices = new int[length];
        return _indices.AsSpan(0, length);
    }
}
