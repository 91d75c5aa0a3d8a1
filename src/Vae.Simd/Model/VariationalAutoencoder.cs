using Vae.Simd.Autodiff;
using Vae.Simd.Kernels;
using Vae.Simd.Randomness;
using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

/// <summary>
/// A variational autoencoder (Kingma &amp; Welling): prior p(z) = N(0, I), an MLP encoder q(z|x) =
/// N(μ(x), diag σ²(x)) and an MLP decoder p(x|z). All parameters live in one flat buffer
/// (<see cref="Parameters"/>, laid out by <see cref="Layout"/>).
/// </summary>
/// <remarks>
/// The inference methods take row-major batches on spans, may be called from many threads at once
/// (each thread has its own workspace, created on its first call), and allocate nothing in steady state.
/// Results are deterministic: noise comes from counter-based streams keyed by the caller's seed and the
/// row index, never from shared state.
/// </remarks>
public sealed class VariationalAutoencoder : IDisposable
{
    private readonly float[] _parameters;
    private readonly ThreadLocal<InferenceWorkspace> _workspaces;
    private bool _disposed;

    /// <summary>A new model with weights initialised from <paramref name="seed"/> (biases zero).</summary>
    public VariationalAutoencoder(VaeConfig config, ulong seed)
        : this(config, new float[new ParameterLayout(config).TotalLength], validateLength: false)
    {
        Initialize(seed);
    }

    /// <summary>A model over existing parameters (copied), e.g. from a checkpoint.</summary>
    /// <exception cref="ArgumentException">The parameter count does not match the configuration, or a value is not finite.</exception>
    public VariationalAutoencoder(VaeConfig config, ReadOnlySpan<float> parameters)
        : this(config, parameters.ToArray(), validateLength: true) { }

    private VariationalAutoencoder(VaeConfig config, float[] parameters, bool validateLength)
    {
        Layout = new ParameterLayout(config);
        Config = config;
        if (validateLength)
        {
            if (parameters.Length != Layout.TotalLength)
                throw new ArgumentException($"A {config} model has {Layout.TotalLength} parameters; got {parameters.Length}.", nameof(parameters));
            int bad = Array.FindIndex(parameters, v => !float.IsFinite(v));
            if (bad >= 0) throw new ArgumentException($"Parameter {bad} is {parameters[bad]}; every parameter must be finite.", nameof(parameters));
        }
        _parameters = parameters;
        _workspaces = new ThreadLocal<InferenceWorkspace>(() => new InferenceWorkspace(this));
    }

    /// <summary>The architecture.</summary>
    public VaeConfig Config { get; }

    /// <summary>Where each parameter tensor lives in <see cref="Parameters"/>.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>Every parameter, in <see cref="Layout"/> order. Writable: trainers update it in place.</summary>
    public Span<float> Parameters => _parameters;

    internal float[] ParameterArray => _parameters;

    /// <summary>Dimensions of x.</summary>
    public int InputSize => Config.InputSize;

    /// <summary>Dimensions of z.</summary>
    public int LatentSize => Config.LatentSize;

    /// <summary>Re-initialises the weights from <paramref name="seed"/> and zeroes the biases.</summary>
    public void Initialize(ulong seed)
    {
        ThrowIfDisposed();
        IReadOnlyList<ParameterSlice> slices = Layout.Slices;
        for (int i = 0; i < slices.Count; i++)
        {
            ParameterSlice s = slices[i];
            Span<float> values = _parameters.AsSpan(s.Offset, s.Length);
            if (s.Shape.Rank == 1) { values.Clear(); continue; }
            var random = CounterRandom.For(seed, RandomPurpose.Initialization, (ulong)i);
            if (Config.Initialization == InitializationScheme.Paper) random.FillNormal(values, 0.01f);
            else
            {
                float bound = 1f / MathF.Sqrt(s.Shape.Columns);
                random.FillUniform(values, -bound, bound);
            }
        }
    }

    /// <summary>q(z|x) for each row of <paramref name="x"/> [n × input]: its mean and log variance [n × latent].</summary>
    public void Encode(ReadOnlySpan<float> x, Span<float> mean, Span<float> logVariance)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(mean, n * LatentSize, nameof(mean));
        RequireLength(logVariance, n * LatentSize, nameof(logVariance));
        InferenceWorkspace w = Workspace();
        Tape<float> tape = w.Begin();
        Var xv = tape.Input(x, TensorShape.Matrix(n, InputSize));
        (Var mu, Var lv) = VaeGraph.Encode(tape, Config, w.Parameters, xv);
        tape.Value(mu).CopyTo(mean);
        tape.Value(lv).CopyTo(logVariance);
    }

    /// <summary>
    /// The mean of p(x|z) for each row of <paramref name="z"/> [n × latent]: Bernoulli probabilities, or
    /// the Gaussian's mean; [n × input].
    /// </summary>
    public void Decode(ReadOnlySpan<float> z, Span<float> output)
    {
        int n = Rows(z, LatentSize, nameof(z));
        RequireLength(output, n * InputSize, nameof(output));
        InferenceWorkspace w = Workspace();
        Tape<float> tape = w.Begin();
        DecodeMean(tape, w, tape.Input(z, TensorShape.Matrix(n, LatentSize)), output);
    }

    /// <summary>Decodes the encoder's mean for each row of <paramref name="x"/>: the model's reconstruction.</summary>
    public void Reconstruct(ReadOnlySpan<float> x, Span<float> output)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(output, n * InputSize, nameof(output));
        InferenceWorkspace w = Workspace();
        Tape<float> tape = w.Begin();
        (Var mu, _) = VaeGraph.Encode(tape, Config, w.Parameters, tape.Input(x, TensorShape.Matrix(n, InputSize)));
        DecodeMean(tape, w, mu, output);
    }

    /// <summary>Decodes <paramref name="count"/> draws z ~ N(0, I) (row i from stream (seed, i)) into <paramref name="output"/> [count × input].</summary>
    public void Sample(int count, ulong seed, Span<float> output)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"Sample: count must be at least 1; got {count}.");
        RequireLength(output, count * InputSize, nameof(output));
        InferenceWorkspace w = Workspace();
        Tape<float> tape = w.Begin();
        Var z = tape.Input(TensorShape.Matrix(count, LatentSize));
        Span<float> zv = tape.Value(z);
        for (int i = 0; i < count; i++)
            CounterRandom.For(seed, RandomPurpose.PriorSample, (ulong)i).FillNormal(zv.Slice(i * LatentSize, LatentSize));
        DecodeMean(tape, w, z, output);
    }

    /// <summary>
    /// The ELBO of each row of <paramref name="x"/> (nats), estimated with the analytic KL and
    /// <paramref name="samples"/> draws of z. Row i's noise comes from stream (seed, firstRow + i), so a data
    /// set scored in batches gets the same numbers however it is cut.
    /// </summary>
    public void Elbo(ReadOnlySpan<float> x, Span<float> elbo, int samples = 1, ulong seed = 0, long firstRow = 0)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(elbo, n, nameof(elbo));
        if (samples is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(samples), $"Elbo: samples must be 1 to 1000; got {samples}.");
        InferenceWorkspace w = Workspace();
        Tape<float> tape = w.Begin();
        Var xv = tape.Input(x, TensorShape.Matrix(n, InputSize));
        Span<Var> noise = w.Noise(samples);
        for (int l = 0; l < samples; l++)
        {
            noise[l] = VaeGraph.NoiseInput(tape, n, LatentSize);
            Span<float> e = tape.Value(noise[l]);
            for (int i = 0; i < n; i++)
                CounterRandom.For(seed, RandomPurpose.ImportanceSampling, (ulong)(firstRow + i), (ulong)l).FillNormal(e.Slice(i * LatentSize, LatentSize));
        }
        ElboTerms terms = VaeGraph.Elbo(tape, Config, Estimator.Analytic, w.Parameters, xv, noise);
        ElementWise.Subtract(tape.Value(terms.Reconstruction), tape.Value(terms.Kl), elbo);
    }

    /// <summary>
    /// The importance-weighted estimate of log p(x) for each row (nats): log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x)
    /// with z_k ~ q(z|x), computed in batches of samples with a running log-sum-exp. It converges to
    /// log p(x) from below as K grows; K = 1 is an ELBO sample.
    /// </summary>
    public void LogLikelihood(ReadOnlySpan<float> x, int samples, Span<float> logLikelihood, ulong seed = 0)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(logLikelihood, n, nameof(logLikelihood));
        if (samples is < 1 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(samples), $"LogLikelihood: samples must be 1 to 1000000; got {samples}.");
        InferenceWorkspace w = Workspace();
        Span<float> mean = w.Buffer(0, LatentSize), logVariance = w.Buffer(1, LatentSize);
        int chunk = Math.Min(samples, InferenceWorkspace.SampleChunk);
        double log2Pi = Math.Log(2 * Math.PI);
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> xi = x.Slice(i * InputSize, InputSize);
            Encode(xi, mean, logVariance);
            var random = CounterRandom.For(seed, RandomPurpose.ImportanceSampling, (ulong)i, ulong.MaxValue);
            double runningMax = double.NegativeInfinity, runningSum = 0;
            for (int done = 0; done < samples; done += chunk)
            {
                int k = Math.Min(chunk, samples - done);
                Tape<float> tape = w.Begin();
                Var z = tape.Input(TensorShape.Matrix(k, LatentSize));
                Var targets = tape.Input(TensorShape.Matrix(k, InputSize));
                Span<float> zv = tape.Value(z), tv = tape.Value(targets);
                Span<double> logWeights = w.DoubleBuffer(k);
                for (int s = 0; s < k; s++)
                {
                    xi.CopyTo(tv.Slice(s * InputSize, InputSize));
                    double logQ = 0, logP = 0;
                    for (int d = 0; d < LatentSize; d++)
                    {
                        double eps = random.NextNormal();
                        double zd = mean[d] + Math.Exp(0.5 * logVariance[d]) * eps;
                        zv[s * LatentSize + d] = (float)zd;
                        logQ -= 0.5 * (log2Pi + logVariance[d] + eps * eps);
                        logP -= 0.5 * (log2Pi + zd * zd);
                    }
                    logWeights[s] = logP - logQ;
                }
                Var logPx = VaeGraph.LogLikelihood(tape, Config, VaeGraph.Decode(tape, Config, w.Parameters, z), targets);
                ReadOnlySpan<float> lp = tape.Value(logPx);
                for (int s = 0; s < k; s++)
                {
                    double lw = logWeights[s] + lp[s];
                    if (lw > runningMax) { runningSum = runningSum * Math.Exp(runningMax - lw) + 1; runningMax = lw; }
                    else runningSum += Math.Exp(lw - runningMax);
                }
            }
            logLikelihood[i] = (float)(runningMax + Math.Log(runningSum) - Math.Log(samples));
        }
    }

    /// <summary>Releases the per-thread workspaces; any later call throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _workspaces.Dispose();
    }

    private void DecodeMean(Tape<float> tape, InferenceWorkspace w, Var z, Span<float> output)
    {
        (Var first, _) = VaeGraph.Decode(tape, Config, w.Parameters, z);
        if (Config.Likelihood == Likelihood.Bernoulli) VectorMath.Sigmoid(tape.Value(first), output);
        else tape.Value(first).CopyTo(output);
    }

    private InferenceWorkspace Workspace()
    {
        ThrowIfDisposed();
        return _workspaces.Value!;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static int Rows(ReadOnlySpan<float> data, int width, string name)
    {
        if (data.IsEmpty || data.Length % width != 0)
            throw new ArgumentException($"{name} must hold whole rows of {width} values; got {data.Length} values.", name);
        return data.Length / width;
    }

    private static void RequireLength(Span<float> span, int expected, string name)
    {
        if (span.Length != expected)
            throw new ArgumentException($"{name} must have {expected} elements for this batch; got {span.Length}.", name);
    }

    /// <summary>One thread's inference tape with the parameters bound once, and scratch buffers.</summary>
    private sealed class InferenceWorkspace
    {
        public const int SampleChunk = 500;
        private readonly VariationalAutoencoder _model;
        private readonly Var[] _parameters;
        private readonly Tape<float> _tape = new(recordGradients: false);
        private Var[] _noise = new Var[1];
        private readonly float[][] _buffers = [[], []];
        private double[] _doubles = [];

        public InferenceWorkspace(VariationalAutoencoder model)
        {
            _model = model;
            _parameters = new Var[model.Layout.Slices.Count];
        }

        public ReadOnlySpan<Var> Parameters => _parameters;

        /// <summary>Resets the tape and binds the parameters (they are the first values recorded).</summary>
        public Tape<float> Begin()
        {
            _tape.Reset();
            VaeGraph.BindParameters(_tape, _model.Layout, _model._parameters, Memory<float>.Empty, _parameters);
            return _tape;
        }

        public Span<Var> Noise(int count)
        {
            if (_noise.Length < count) _noise = new Var[count];
            return _noise.AsSpan(0, count);
        }

        public Span<float> Buffer(int index, int length)
        {
            if (_buffers[index].Length < length) _buffers[index] = new float[length];
            return _buffers[index].AsSpan(0, length);
        }

        public Span<double> DoubleBuffer(int length)
        {
            if (_doubles.Length < length) _doubles = new double[length];
            return _doubles.AsSpan(0, length);
        }
    }
}
