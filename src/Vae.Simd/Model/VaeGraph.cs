using System.Numerics;
using System.Runtime.InteropServices;
using Vae.Simd.Autodiff;
using Vae.Simd.Randomness;
using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

/// <summary>The per-example terms of an ELBO estimate: E[log p(x|z)] and the (estimated) KL, one value per row.</summary>
internal readonly record struct ElboTerms(Var Reconstruction, Var Kl)
{
    /// <summary>The ELBO of each row, reconstruction − KL: the one place the two terms are combined into the bound.</summary>
    public void PerExample(Tape<float> tape, Span<float> destination) =>
        Kernels.ElementWise.Subtract(tape.Value(Reconstruction), tape.Value(Kl), destination);
}

/// <summary>The decoder's output for a batch of z: the parameters of p(x|z).</summary>
/// <param name="Logits">Bernoulli and continuous-Bernoulli logits, or the Gaussian's mean [n × input].</param>
/// <param name="LogVariance">The Gaussian's log variance: [n × input] (per-pixel) or one value [1] (shared, fixed); unused otherwise.</param>
internal readonly record struct Decoded(Var Logits, Var LogVariance);

/// <summary>Where the reparameterisation noise ε of a batch comes from: row r draws its L samples, in order, from stream (seed, purpose, coordinate, key of r).</summary>
/// <param name="Seed">The caller's seed.</param>
/// <param name="Purpose">A <see cref="RandomPurpose"/>.</param>
/// <param name="Coordinate">The stream's first coordinate (the training step; 0 for inference).</param>
/// <param name="Examples">Each row's key (its index in the data set); empty: row r's key is <paramref name="FirstRow"/> + r.</param>
/// <param name="FirstRow">The key of row 0 when <paramref name="Examples"/> is empty.</param>
internal readonly ref struct NoiseSource(ulong Seed, ulong Purpose, ulong Coordinate, ReadOnlySpan<int> Examples, long FirstRow = 0)
{
    public ulong Seed { get; } = Seed;
    public ulong Purpose { get; } = Purpose;
    public ulong Coordinate { get; } = Coordinate;
    public ReadOnlySpan<int> Examples { get; } = Examples;
    public long FirstRow { get; } = FirstRow;

    public ulong Key(int row) => Examples.IsEmpty ? (ulong)(FirstRow + row) : (ulong)Examples[row];
}

/// <summary>
/// The one graph builder of the VAE, for either element type (float for training and inference, double for
/// gradient-checking the whole ELBO): batch in → ELBO terms out. It holds the tape handles of the
/// parameters by layer — taken from <see cref="ParameterLayout"/>, never by position — and the steps every
/// caller shares: bind the parameters, record the batch, fill the noise, build the ELBO.
/// </summary>
/// <remarks>One instance per tape; <see cref="Begin"/> or <see cref="Bind"/> before each graph. Reused, it allocates nothing.</remarks>
internal sealed class VaeGraph<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly VaeConfig _config;
    private readonly ParameterLayout _layout;
    private readonly Var[] _parameters;
    private readonly Var[] _frozen;
    private readonly bool[] _frozenRecorded;
    private readonly int _sharedLogVariance;
    private Var[] _noise = [];
    private Var _fixedLogVariance;

    public VaeGraph(VaeConfig config, ParameterLayout layout)
    {
        _config = config;
        _layout = layout;
        _parameters = new Var[layout.Slices.Count];
        _frozen = new Var[layout.Slices.Count];
        _frozenRecorded = new bool[layout.Slices.Count];
        _sharedLogVariance = layout.SharedLogVariance is { } shared ? layout.IndexOf(shared.Name) : -1;
    }

    public VaeConfig Config => _config;

    /// <summary>
    /// Resets <paramref name="tape"/>, binds every parameter slice of <paramref name="values"/> (and of
    /// <paramref name="gradients"/>, whose entries the backward pass adds to, when the tape records
    /// gradients), and records an input of <paramref name="rows"/> examples for the caller to fill (none when 0: a graph that starts from z).
    /// </summary>
    public Var Begin(Tape<T> tape, Memory<T> values, Memory<T> gradients, int rows)
    {
        tape.Reset();
        IReadOnlyList<ParameterSlice> slices = _layout.Slices;
        for (int i = 0; i < slices.Count; i++)
        {
            ParameterSlice s = slices[i];
            _parameters[i] = tape.RecordsGradients && !gradients.IsEmpty
                ? tape.Parameter(values.Slice(s.Offset, s.Length), gradients.Slice(s.Offset, s.Length), s.Shape)
                : tape.Parameter(values.Slice(s.Offset, s.Length), s.Shape);
        }
        Array.Clear(_frozenRecorded);
        RecordFixedVariance(tape);
        return rows == 0 ? default : tape.Input(TensorShape.Matrix(rows, _config.InputSize));
    }

    /// <summary>Binds parameters already recorded on the tape, one per slice of the layout in order (GradCheck's variables).</summary>
    public void Bind(Tape<T> tape, ReadOnlySpan<Var> parameters)
    {
        if (parameters.Length != _parameters.Length)
            throw new ArgumentException($"VaeGraph: {parameters.Length} parameters bound; the layout has {_parameters.Length} slices.");
        parameters.CopyTo(_parameters);
        Array.Clear(_frozenRecorded);
        RecordFixedVariance(tape);
    }

    /// <summary>q(z|x): the mean and log variance, [n × latent] each; with <paramref name="frozen"/>, no gradient reaches the encoder (its output is data).</summary>
    public (Var Mean, Var LogVariance) Encode(Tape<T> tape, Var x, bool frozen = false)
    {
        Var h = x;
        IReadOnlyList<LayerParameters> hidden = _layout.EncoderHidden;
        for (int i = 0; i < hidden.Count; i++) h = Apply(tape, hidden[i], h, _config.Activation, frozen); // for, not foreach: an interface enumerator would allocate
        return (Apply(tape, _layout.Mean, h, Activation.None, frozen), Apply(tape, _layout.LogVariance, h, Activation.None, frozen));
    }

    /// <summary>The parameters of p(x|z) for each row of <paramref name="z"/>; with <paramref name="frozen"/>, no gradient reaches the decoder.</summary>
    public Decoded Decode(Tape<T> tape, Var z, bool frozen = false)
    {
        Var h = z;
        IReadOnlyList<LayerParameters> hidden = _layout.DecoderHidden;
        for (int i = 0; i < hidden.Count; i++) h = Apply(tape, hidden[i], h, _config.Activation, frozen);
        Var logits = Apply(tape, _layout.Output, h, Activation.None, frozen);
        if (_config.Likelihood != Likelihood.Gaussian) return new Decoded(logits, default);
        Var logVariance = _config.GaussianVariance switch
        {
            GaussianVariance.PerPixel => Apply(tape, _layout.OutputLogVariance!, h, Activation.None, frozen),
            GaussianVariance.Shared => Parameter(tape, _sharedLogVariance, frozen),
            _ => _fixedLogVariance,
        };
        // σ² = σ²_min + exp(v): a learned variance cannot collapse below the floor (0: the unfloored model, recorded as before).
        if (_config.GaussianVariance != GaussianVariance.Fixed && _config.MinVariance > 0f)
            logVariance = tape.LogAddExp(logVariance, T.Log(T.CreateChecked(_config.MinVariance)));
        return new Decoded(logits, logVariance);
    }

    /// <summary>log p(x | decoded), one value per row.</summary>
    public Var LogLikelihood(Tape<T> tape, Decoded decoded, Var x) => _config.Likelihood switch
    {
        Likelihood.Bernoulli => tape.BernoulliLogLikelihood(decoded.Logits, x),
        Likelihood.ContinuousBernoulli => tape.ContinuousBernoulliLogLikelihood(decoded.Logits, x),
        _ => tape.GaussianLogLikelihood(x, decoded.Logits, decoded.LogVariance),
    };

    /// <summary>The mean of p(x|z) for each decoded row (float tapes): Bernoulli probabilities, the continuous Bernoulli's mean, or the Gaussian's mean.</summary>
    public void Mean(Tape<T> tape, Decoded decoded, Span<float> output)
    {
        ReadOnlySpan<float> logits = MemoryMarshal.Cast<T, float>(tape.Value(decoded.Logits));
        switch (_config.Likelihood)
        {
            case Likelihood.Bernoulli: Kernels.VectorMath.Sigmoid(logits, output); break;
            case Likelihood.ContinuousBernoulli:
                for (int i = 0; i < output.Length; i++) output[i] = ContinuousBernoulliLogLikelihoodOp.Mean(logits[i]);
                break;
            default: logits.CopyTo(output); break;
        }
    }

    /// <summary>
    /// The ELBO's terms for the rows of <paramref name="x"/>, with one noise input [n × latent] per sample
    /// (ε ~ N(0, I)). The reconstruction term is averaged over the samples; the KL is analytic, or averaged
    /// log q(z|x) − log p(z) at the samples for the Monte Carlo estimator.
    /// </summary>
    public ElboTerms Elbo(Tape<T> tape, Var x, Estimator estimator, ReadOnlySpan<Var> noise)
    {
        (Var mean, Var logVariance) = Encode(tape, x);
        Var reconstruction = default, kl = default;
        for (int l = 0; l < noise.Length; l++)
        {
            Var z = tape.Reparameterize(mean, logVariance, noise[l]);
            Var logLikelihood = LogLikelihood(tape, Decode(tape, z), x);
            reconstruction = l == 0 ? logLikelihood : tape.Add(reconstruction, logLikelihood);
            if (estimator == Estimator.MonteCarlo)
            {
                Var gap = tape.Subtract(tape.GaussianLogLikelihood(z, mean, logVariance), tape.StandardNormalLogDensity(z));
                kl = l == 0 ? gap : tape.Add(kl, gap);
            }
        }
        if (noise.Length > 1)
        {
            T share = T.One / T.CreateChecked(noise.Length);
            reconstruction = tape.Scale(reconstruction, share);
            if (estimator == Estimator.MonteCarlo) kl = tape.Scale(kl, share);
        }
        if (estimator == Estimator.Analytic) kl = tape.KlStandardNormal(mean, logVariance);
        return new ElboTerms(reconstruction, kl);
    }

    /// <summary>
    /// The ELBO's terms with <paramref name="samples"/> draws of z per row, the noise recorded and drawn
    /// from <paramref name="source"/> (float tapes): what training and inference both evaluate.
    /// </summary>
    public ElboTerms Elbo(Tape<T> tape, Var x, Estimator estimator, int samples, in NoiseSource source)
    {
        if (typeof(T) != typeof(float)) throw new NotSupportedException("VaeGraph: noise is drawn for float tapes; give a double tape its noise as inputs.");
        if (_noise.Length < samples) _noise = new Var[samples];
        Span<Var> noise = _noise.AsSpan(0, samples);
        int rows = tape.Shape(x).Rows, latent = _config.LatentSize;
        for (int l = 0; l < samples; l++) noise[l] = tape.Input(TensorShape.Matrix(rows, latent));
        for (int r = 0; r < rows; r++)
        {
            // Row r's noise for all L samples comes from one stream keyed by the example, independent of shards and threads.
            var random = CounterRandom.For(source.Seed, source.Purpose, source.Coordinate, source.Key(r));
            for (int l = 0; l < samples; l++)
                random.FillNormal(MemoryMarshal.Cast<T, float>(tape.Value(noise[l])).Slice(r * latent, latent));
        }
        return Elbo(tape, x, estimator, noise);
    }

    /// <summary>Fills row block r (<paramref name="perRow"/> values) of <paramref name="noise"/> with N(0, 1) draws from row r's stream of <paramref name="source"/>.</summary>
    private static void FillNoise(Tape<T> tape, Var noise, int rows, int perRow, in NoiseSource source)
    {
        if (typeof(T) != typeof(float)) throw new NotSupportedException("VaeGraph: noise is drawn for float tapes; give a double tape its noise as inputs.");
        Span<float> values = MemoryMarshal.Cast<T, float>(tape.Value(noise));
        for (int r = 0; r < rows; r++)
            CounterRandom.For(source.Seed, source.Purpose, source.Coordinate, source.Key(r)).FillNormal(values.Slice(r * perRow, perRow));
    }

    /// <summary>
    /// log w = log p(x|z) − (log q(z|x) − log p(z)) for <paramref name="samples"/> draws z = μ + σ ⊙ ε per row of
    /// <paramref name="x"/> [n × input] given q's <paramref name="mean"/> and <paramref name="logVariance"/> [n × latent]
    /// and the noise [n·samples × latent] (row r·samples + j is sample j of row r): a vector of n·samples log
    /// importance weights, a row's samples adjacent. The KL-gap form is the Monte Carlo ELBO's, so one sample gives its bits.
    /// </summary>
    public Var LogImportanceWeights(Tape<T> tape, Var x, Var mean, Var logVariance, Var noise, int samples)
    {
        if (samples > 1)
        {
            x = tape.RepeatRows(x, samples);
            mean = tape.RepeatRows(mean, samples);
            logVariance = tape.RepeatRows(logVariance, samples);
        }
        Var z = tape.Reparameterize(mean, logVariance, noise);
        // Recorded in the ELBO's order (decoder first), so even the gradient's rounding is the ELBO's at k = 1.
        Var logLikelihood = LogLikelihood(tape, Decode(tape, z), x);
        Var gap = tape.Subtract(tape.GaussianLogLikelihood(z, mean, logVariance), tape.StandardNormalLogDensity(z));
        return tape.Subtract(logLikelihood, gap);
    }

    /// <summary>
    /// The importance-weighted bound of each row of <paramref name="x"/> (Burda et al.): log (1/k) Σ_j w_j over the
    /// k = <paramref name="samples"/> weights of <see cref="LogImportanceWeights"/>, the mean taken by the tape's stable
    /// row log-sum-exp (less log k). One sample is the Monte Carlo ELBO, bit for bit.
    /// </summary>
    public Var ImportanceWeightedBound(Tape<T> tape, Var x, Var noise, int samples)
    {
        (Var mean, Var logVariance) = Encode(tape, x);
        Var logWeights = LogImportanceWeights(tape, x, mean, logVariance, noise, samples);
        if (samples == 1) return logWeights;
        int rows = tape.Shape(x).Rows;
        Var logSum = tape.RowLogSumExp(tape.Reshape(logWeights, TensorShape.Matrix(rows, samples)));
        Var logK = tape.Input(TensorShape.Vector(rows));
        tape.Value(logK).Fill(T.Log(T.CreateChecked(samples)));
        return tape.Subtract(logSum, logK);
    }

    /// <summary>
    /// The importance-weighted bound with <paramref name="samples"/> draws per row, the noise drawn from
    /// <paramref name="source"/> (float tapes) exactly as <see cref="Elbo(Tape{T}, Var, Estimator, int, in NoiseSource)"/>
    /// draws its samples: sample j of row r is the ELBO's sample j.
    /// </summary>
    public Var ImportanceWeightedBound(Tape<T> tape, Var x, int samples, in NoiseSource source)
    {
        int rows = tape.Shape(x).Rows, latent = _config.LatentSize;
        Var noise = tape.Input(TensorShape.Matrix(checked(rows * samples), latent));
        FillNoise(tape, noise, rows, samples * latent, source);
        return ImportanceWeightedBound(tape, x, noise, samples);
    }

    /// <summary>
    /// The loss to minimise for a shard of a minibatch of <paramref name="batchSize"/> examples given each row's
    /// bound: −(1/M)·Σ_rows bound.
    /// </summary>
    public static Var Loss(Tape<T> tape, Var bound, int batchSize) =>
        tape.Scale(tape.Sum(bound), -T.One / T.CreateChecked(batchSize));

    /// <summary>
    /// The loss to minimise for a shard of a minibatch of <paramref name="batchSize"/> examples:
    /// −(1/M)·Σ_rows (reconstruction − klWeight·KL), so shard gradients add up to the minibatch's.
    /// </summary>
    public static Var Loss(Tape<T> tape, ElboTerms terms, T klWeight, int batchSize)
    {
        Var objective = klWeight == T.One
            ? tape.Subtract(terms.Reconstruction, terms.Kl)
            : tape.Subtract(terms.Reconstruction, tape.Scale(terms.Kl, klWeight));
        return tape.Scale(tape.Sum(objective), -T.One / T.CreateChecked(batchSize));
    }

    /// <summary>
    /// Wake-sleep's wake objective per row, log p_θ(x, z) = log p(x|z) + log p(z), for latents <paramref name="z"/> taken as
    /// data (Hinton et al. 1995); its gradient reaches only the decoder θ. Also returns log p(x|z) alone.
    /// </summary>
    public (Var LogJoint, Var Reconstruction) WakeLogJoint(Tape<T> tape, Var x, Var z)
    {
        Var reconstruction = LogLikelihood(tape, Decode(tape, z), x);
        return (tape.Add(reconstruction, tape.StandardNormalLogDensity(z)), reconstruction);
    }

    /// <summary>Wake-sleep's sleep objective per row, log q_φ(z|x), for a dream (x, z) taken as data; its gradient reaches only the encoder φ.</summary>
    public Var SleepLogPosterior(Tape<T> tape, Var dreamX, Var dreamZ)
    {
        (Var mean, Var logVariance) = Encode(tape, dreamX);
        return tape.GaussianLogLikelihood(dreamZ, mean, logVariance);
    }

    /// <summary>
    /// The wake phase of a training step (float tapes): z = μ + σ ⊙ ε from the encoder, frozen, with the noise AEVB would
    /// draw; the loss −(1/M) Σ log p_θ(x, z); and the ELBO of the current q and p at the same z (<paramref name="estimator"/>'s KL),
    /// the figure wake-sleep reports so its curves compare with AEVB's.
    /// </summary>
    public Var WakePhase(Tape<T> tape, Var x, Estimator estimator, in NoiseSource source, int batchSize, out ElboTerms elbo)
    {
        int rows = tape.Shape(x).Rows, latent = _config.LatentSize;
        (Var mean, Var logVariance) = Encode(tape, x, frozen: true);
        Var noise = tape.Input(TensorShape.Matrix(rows, latent));
        FillNoise(tape, noise, rows, latent, source);
        Var z = tape.Reparameterize(mean, logVariance, noise);
        (Var logJoint, Var reconstruction) = WakeLogJoint(tape, x, z);
        Var kl = estimator == Estimator.Analytic
            ? tape.KlStandardNormal(mean, logVariance)
            : tape.Subtract(tape.GaussianLogLikelihood(z, mean, logVariance), tape.StandardNormalLogDensity(z));
        elbo = new ElboTerms(reconstruction, kl);
        return Loss(tape, logJoint, batchSize);
    }

    /// <summary>
    /// The sleep phase of a training step (float tapes): <paramref name="rows"/> dreams z ~ N(0, I), x ~ p_θ(x|z) from the
    /// decoder, frozen (Bernoulli pixels drawn as bits, Gaussian and continuous-Bernoulli values from their densities), row r
    /// from streams keyed by <paramref name="source"/>'s key of r; the loss −(1/M) Σ log q_φ(z|x).
    /// </summary>
    public Var SleepPhase(Tape<T> tape, int rows, in NoiseSource source, int batchSize)
    {
        if (typeof(T) != typeof(float)) throw new NotSupportedException("VaeGraph: dreams are drawn for float tapes; give a double tape its dreams as inputs.");
        int latent = _config.LatentSize, input = _config.InputSize;
        Var z = tape.Input(TensorShape.Matrix(rows, latent));
        FillNoise(tape, z, rows, latent, source);
        Decoded decoded = Decode(tape, z, frozen: true);
        Var x = tape.Input(TensorShape.Matrix(rows, input));
        Span<float> xv = MemoryMarshal.Cast<T, float>(tape.Value(x));
        ReadOnlySpan<float> logits = MemoryMarshal.Cast<T, float>(tape.Value(decoded.Logits));
        ReadOnlySpan<float> logVariance = _config.Likelihood == Likelihood.Gaussian ? MemoryMarshal.Cast<T, float>(tape.Value(decoded.LogVariance)) : default;
        for (int r = 0; r < rows; r++)
        {
            var random = CounterRandom.For(source.Seed, RandomPurpose.SleepData, source.Coordinate, source.Key(r));
            for (int i = r * input; i < (r + 1) * input; i++)
                xv[i] = _config.Likelihood switch
                {
                    Likelihood.Bernoulli => random.NextFloat() < TensorMath<float>.SigmoidScalar(logits[i]) ? 1f : 0f,
                    Likelihood.ContinuousBernoulli => ContinuousBernoulliLogLikelihoodOp.Quantile(logits[i], random.NextFloat()),
                    _ => logits[i] + MathF.Exp(0.5f * logVariance[logVariance.Length == 1 ? 0 : i]) * random.NextNormal(),
                };
        }
        return Loss(tape, SleepLogPosterior(tape, x, z), batchSize);
    }

    private Var Apply(Tape<T> tape, LayerParameters layer, Var input, Activation activation = Activation.None, bool frozen = false) =>
        tape.Linear(input, Parameter(tape, layer.WeightIndex, frozen), Parameter(tape, layer.WeightIndex + 1, frozen), activation);

    /// <summary>Parameter slice <paramref name="index"/>, or (frozen) a view of it without gradient, recorded once per graph.</summary>
    private Var Parameter(Tape<T> tape, int index, bool frozen)
    {
        if (!frozen) return _parameters[index];
        if (!_frozenRecorded[index])
        {
            _frozen[index] = tape.Detach(_parameters[index]);
            _frozenRecorded[index] = true;
        }
        return _frozen[index];
    }

    private void RecordFixedVariance(Tape<T> tape)
    {
        if (_config.Likelihood != Likelihood.Gaussian || _config.GaussianVariance != GaussianVariance.Fixed) return;
        _fixedLogVariance = tape.Input(TensorShape.Vector(1));
        tape.Value(_fixedLogVariance)[0] = T.Log(T.CreateChecked(_config.FixedVariance));
    }
}
