using Vae.Simd.Autodiff;
using Vae.Simd.Data;
using Vae.Simd.Kernels;
using Vae.Simd.Model;
using Vae.Simd.Randomness;

namespace Vae.Simd.Training;

/// <summary>One shard's tape, graph builder and gradient buffer, reused every step.</summary>
internal sealed class Shard
{
    private readonly VariationalAutoencoder _model;
    private readonly TrainerOptions _options;
    private readonly Tape<float> _tape = new();
    private readonly VaeGraph<float> _graph;
    private readonly float[] _elbo;

    public Shard(VariationalAutoencoder model, TrainerOptions options)
    {
        _model = model;
        _options = options;
        _graph = new VaeGraph<float>(model.Config, model.Layout);
        Gradients = new float[model.Parameters.Length];
        _elbo = new float[options.ShardSize];
    }

    public float[] Gradients { get; }
    public double ElboSum { get; private set; }
    public double Loss { get; private set; }
    public bool GradientsFinite { get; private set; }

    /// <summary>The shard's gradient of its rows (<paramref name="firstRow"/> is the first one's position in the minibatch, which keys wake-sleep's dreams).</summary>
    public void Run(Dataset data, ReadOnlySpan<int> examples, int firstRow, int epoch, long step, float klWeight, int batchSize)
    {
        int rows = examples.Length;
        Var x = _graph.Begin(_tape, _model.ParameterArray, Gradients, rows);
        data.CopyBatch(examples, _tape.Value(x), _options.Binarization, epoch);
        var noise = new NoiseSource(_options.Seed, RandomPurpose.Noise, (ulong)step, examples);
        Span<float> elbo = _elbo.AsSpan(0, rows);
        Var loss;
        if (_options.Algorithm == TrainingAlgorithm.WakeSleep)
        {
            Var wake = _graph.WakePhase(_tape, x, _options.Elbo.Estimator, noise, batchSize, out ElboTerms terms);
            var dreams = new NoiseSource(_options.Seed, RandomPurpose.SleepLatent, (ulong)step, default, firstRow);
            loss = _tape.Add(wake, _graph.SleepPhase(_tape, rows, dreams, batchSize));
            terms.PerExample(_tape, elbo);
        }
        else if (_options.Elbo.Objective == Objective.Iwae)
        {
            // The reported figure is the bound being maximised: the k-sample importance-weighted bound.
            Var bound = _graph.ImportanceWeightedBound(_tape, x, _options.Elbo.K, noise);
            loss = VaeGraph<float>.Loss(_tape, bound, batchSize);
            _tape.Value(bound).CopyTo(elbo);
        }
        else
        {
            ElboTerms terms = _graph.Elbo(_tape, x, _options.Elbo.Estimator, _options.Elbo.Samples, noise);
            loss = VaeGraph<float>.Loss(_tape, terms, klWeight, batchSize);
            terms.PerExample(_tape, elbo);
        }
        double sum = 0;
        foreach (float e in elbo) sum += e;
        ElboSum = sum;
        Loss = _tape.Scalar(loss);
        // Overwrite: the backward pass sets every gradient (Linear writes dW and db directly), so no clearing pass.
        _tape.Backward(loss, ParameterGradients.Overwrite);
        // Checked here, on the core that just wrote them, so a bad step is refused before any update.
        GradientsFinite = Reductions.AllFinite(Gradients);
    }
}
