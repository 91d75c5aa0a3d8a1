using Vae.Simd.Autodiff;
using Vae.Simd.Randomness;
using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

// The inference API: row-major batches on spans, thread-safe, no allocation per call in steady state.
public sealed partial class VariationalAutoencoder
{
    /// <summary>q(z|x) for each row of <paramref name="x"/> [n × input]: its mean and log variance [n × latent].</summary>
    /// <remarks>
    /// Runs on transposed copies of the encoder's weights and skips exact-zero inputs (an MNIST image reads a
    /// fifth of the first layer), with the bits of the dense batch product. The first call after the
    /// parameters may have changed (see <see cref="Parameters"/>) rebuilds the copies.
    /// </remarks>
    public void Encode(ReadOnlySpan<float> x, Span<float> mean, Span<float> logVariance)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(mean, n * LatentSize, nameof(mean));
        RequireLength(logVariance, n * LatentSize, nameof(logVariance));
        InferenceWorkspace w = Workspace(); // first: it throws if the model is disposed
        CurrentTransposedEncoder().Encode(x, n, _parameters, mean, logVariance, w);
    }

    /// <summary>
    /// <see cref="Encode"/> through the graph's <c>Linear</c> ops instead of the transposed copies: the same bits
    /// for batches of three rows or more (one or two rows take the GEMM's dot-product path), for tests and benchmarks.
    /// </summary>
    internal void EncodeThroughGraph(ReadOnlySpan<float> x, Span<float> mean, Span<float> logVariance)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(mean, n * LatentSize, nameof(mean));
        RequireLength(logVariance, n * LatentSize, nameof(logVariance));
        InferenceWorkspace w = Workspace();
        Tape<float> tape = w.Tape;
        Var xv = w.Begin(n);
        x.CopyTo(tape.Value(xv));
        (Var mu, Var lv) = w.Graph.Encode(tape, xv);
        tape.Value(mu).CopyTo(mean);
        tape.Value(lv).CopyTo(logVariance);
    }

    /// <summary>
    /// The mean of p(x|z) for each row of <paramref name="z"/> [n × latent]: Bernoulli probabilities, the
    /// continuous Bernoulli's mean, or the Gaussian's mean; [n × input].
    /// </summary>
    public void Decode(ReadOnlySpan<float> z, Span<float> output)
    {
        int n = Rows(z, LatentSize, nameof(z));
        RequireLength(output, n * InputSize, nameof(output));
        InferenceWorkspace w = Workspace();
        w.Begin(0);
        DecodeMean(w, w.Tape.Input(z, TensorShape.Matrix(n, LatentSize)), output);
    }

    /// <summary>Decodes the encoder's mean for each row of <paramref name="x"/>: the model's reconstruction.</summary>
    public void Reconstruct(ReadOnlySpan<float> x, Span<float> output)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(output, n * InputSize, nameof(output));
        InferenceWorkspace w = Workspace();
        Var xv = w.Begin(n);
        x.CopyTo(w.Tape.Value(xv));
        (Var mu, _) = w.Graph.Encode(w.Tape, xv);
        DecodeMean(w, mu, output);
    }

    /// <summary>Decodes <paramref name="count"/> draws z ~ N(0, I) (row i from stream (seed, i)) into <paramref name="output"/> [count × input].</summary>
    public void Sample(int count, ulong seed, Span<float> output)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"Sample: count must be at least 1; got {count}.");
        RequireLength(output, count * InputSize, nameof(output));
        InferenceWorkspace w = Workspace();
        w.Begin(0);
        Var z = w.Tape.Input(TensorShape.Matrix(count, LatentSize));
        Span<float> zv = w.Tape.Value(z);
        for (int i = 0; i < count; i++)
            CounterRandom.For(seed, RandomPurpose.PriorSample, (ulong)i).FillNormal(zv.Slice(i * LatentSize, LatentSize));
        DecodeMean(w, z, output);
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
        Var xv = w.Begin(n);
        x.CopyTo(w.Tape.Value(xv));
        var noise = new NoiseSource(seed, RandomPurpose.ElboNoise, 0, default, firstRow);
        w.Graph.Elbo(w.Tape, xv, Estimator.Analytic, samples, noise).PerExample(w.Tape, elbo);
    }

    private static void DecodeMean(InferenceWorkspace w, Var z, Span<float> output) =>
        w.Graph.Mean(w.Tape, w.Graph.Decode(w.Tape, z), output);

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
}
