using Vae.Simd.Autodiff;
using Vae.Simd.Randomness;
using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

// The importance-weighted estimate of log p(x) (Burda et al.): the ELBO's graph pieces, reused with K samples of z per example.
public sealed partial class VariationalAutoencoder
{
    private const int SampleChunk = 500;

    /// <summary>
    /// The importance-weighted estimate of log p(x) for each row (nats): log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x)
    /// with z_k ~ q(z|x), computed in chunks of samples whose log-sum-exps are combined as they come. It converges
    /// to log p(x) from below as K grows; K = 1 is an ELBO sample.
    /// </summary>
    public void LogLikelihood(ReadOnlySpan<float> x, int samples, Span<float> logLikelihood, ulong seed = 0)
    {
        int n = Rows(x, InputSize, nameof(x));
        RequireLength(logLikelihood, n, nameof(logLikelihood));
        if (samples is < 1 or > 1_000_000) throw new ArgumentOutOfRangeException(nameof(samples), $"LogLikelihood: samples must be 1 to 1000000; got {samples}.");
        InferenceWorkspace w = Workspace();
        Span<float> mean = w.Buffer(0, LatentSize), logVariance = w.Buffer(1, LatentSize);
        int chunk = Math.Min(samples, SampleChunk);
        Span<double> pair = stackalloc double[2];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> xi = x.Slice(i * InputSize, InputSize);
            Encode(xi, mean, logVariance);
            var random = CounterRandom.For(seed, RandomPurpose.ImportanceSampling, (ulong)i, ulong.MaxValue);
            double logSum = double.NegativeInfinity;
            for (int done = 0; done < samples; done += chunk)
            {
                int k = Math.Min(chunk, samples - done);
                pair[0] = logSum;
                pair[1] = LogImportanceWeights(w, xi, mean, logVariance, k, ref random);
                logSum = RowLogSumExpOp.LogSumExp<double>(pair);
            }
            logLikelihood[i] = (float)(logSum - Math.Log(samples));
        }
    }

    /// <summary>log Σ_k p(x|z_k) p(z_k) / q(z_k|x) over k fresh samples z_k = μ + σ ⊙ ε_k: the training bound's log weights (<see cref="VaeGraph{T}.LogImportanceWeights"/>).</summary>
    private float LogImportanceWeights(InferenceWorkspace w, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> logVariance, int k, ref CounterRandom random)
    {
        Tape<float> tape = w.Tape;
        Var target = w.Begin(1);
        x.CopyTo(tape.Value(target));
        Var means = tape.Input(mean, TensorShape.Matrix(1, LatentSize)), logVariances = tape.Input(logVariance, TensorShape.Matrix(1, LatentSize));
        Var noise = tape.Input(TensorShape.Matrix(k, LatentSize));
        random.FillNormal(tape.Value(noise));
        Var logWeights = w.Graph.LogImportanceWeights(tape, target, means, logVariances, noise, k);
        return RowLogSumExpOp.LogSumExp<float>(tape.Value(logWeights));
    }
}
