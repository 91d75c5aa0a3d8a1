using Vae.Simd.Randomness;

namespace Vae.Simd.Model;

/// <summary>
/// A variational autoencoder (Kingma &amp; Welling): prior p(z) = N(0, I), an MLP encoder q(z|x) =
/// N(μ(x), diag σ²(x)) and an MLP decoder p(x|z). All parameters live in one flat buffer
/// (<see cref="Parameters"/>, laid out by <see cref="Layout"/>).
/// </summary>
/// <remarks>
/// This file holds the parameters; the inference API is in <c>VariationalAutoencoder.Inference.cs</c>, the
/// importance-weighted estimate of log p(x) in <c>VariationalAutoencoder.ImportanceWeighted.cs</c>.
/// The inference methods take row-major batches on spans, may be called from many threads at once
/// (each thread has its own workspace, created on its first call), and allocate nothing in steady state.
/// Results are deterministic: noise comes from counter-based streams keyed by the caller's seed and the
/// row index, never from shared state.
/// </remarks>
public sealed partial class VariationalAutoencoder : IDisposable
{
    private readonly float[] _parameters;
    private readonly ThreadLocal<InferenceWorkspace> _workspaces;
    private readonly TransposedEncoder _transposedEncoder;
    private long _parameterVersion;
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
        _workspaces = new ThreadLocal<InferenceWorkspace>(() => new InferenceWorkspace(this, parameters));
        _transposedEncoder = new TransposedEncoder(config, Layout);
    }

    /// <summary>The architecture.</summary>
    public VaeConfig Config { get; }

    /// <summary>Where each parameter tensor lives in <see cref="Parameters"/>.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>Every parameter, in <see cref="Layout"/> order. Writable: trainers update it in place.</summary>
    /// <remarks>
    /// Inference keeps transposed copies of the encoder's weights (<see cref="Encode"/>). Each read of this
    /// property counts as a possible change, and the next inference call rebuilds the copies; so write
    /// through a span read after your last inference call (read the property again after calling
    /// <see cref="Encode"/> and before writing), as every span read in one statement does.
    /// </remarks>
    public Span<float> Parameters
    {
        get
        {
            ParametersMayChange();
            return _parameters;
        }
    }

    /// <summary>The parameter buffer, for the trainer and optimizer that write it: counts as a possible change, like <see cref="Parameters"/>.</summary>
    internal float[] ParameterArray
    {
        get
        {
            ParametersMayChange();
            return _parameters;
        }
    }

    /// <summary>How many writable views of the parameters were handed out: the transposed copies are current while it stands still.</summary>
    internal long ParameterVersion => Interlocked.Read(ref _parameterVersion);

    /// <summary>The encoder's transposed copies, current with the parameters.</summary>
    internal TransposedEncoder CurrentTransposedEncoder()
    {
        _transposedEncoder.Refresh(_parameters, ParameterVersion);
        return _transposedEncoder;
    }

    private void ParametersMayChange() => Interlocked.Increment(ref _parameterVersion);

    /// <summary>Dimensions of x.</summary>
    public int InputSize => Config.InputSize;

    /// <summary>Dimensions of z.</summary>
    public int LatentSize => Config.LatentSize;

    /// <summary>Re-initialises the weights from <paramref name="seed"/> and zeroes the biases.</summary>
    public void Initialize(ulong seed)
    {
        ThrowIfDisposed();
        ParametersMayChange();
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

    /// <summary>Releases the per-thread workspaces; any later call throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _workspaces.Dispose();
    }

    internal InferenceWorkspace Workspace()
    {
        ThrowIfDisposed();
        return _workspaces.Value!;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
