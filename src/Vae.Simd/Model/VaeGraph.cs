using System.Numerics;
using Vae.Simd.Autodiff;
using Vae.Simd.Tensors;

namespace Vae.Simd.Model;

/// <summary>The per-example terms of an ELBO estimate: E[log p(x|z)] and the (estimated) KL, one value per row.</summary>
internal readonly record struct ElboTerms(Var Reconstruction, Var Kl);

/// <summary>
/// Records a VAE on a tape, for either element type: float for training and inference, double for
/// gradient-checking the whole ELBO. Parameters arrive as one <see cref="Var"/> per slice of the
/// <see cref="ParameterLayout"/>, bound by the caller (to training buffers, to inference values, or to
/// GradCheck inputs).
/// </summary>
internal static class VaeGraph
{
    /// <summary>Binds every slice of <paramref name="values"/> (and of <paramref name="gradients"/>, when training) as parameters.</summary>
    public static void BindParameters<T>(Tape<T> tape, ParameterLayout layout, Memory<T> values, Memory<T> gradients, Span<Var> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        IReadOnlyList<ParameterSlice> slices = layout.Slices;
        for (int i = 0; i < slices.Count; i++)
        {
            ParameterSlice s = slices[i];
            destination[i] = tape.RecordsGradients && !gradients.IsEmpty
                ? tape.Parameter(values.Slice(s.Offset, s.Length), gradients.Slice(s.Offset, s.Length), s.Shape)
                : tape.Parameter(values.Slice(s.Offset, s.Length), s.Shape);
        }
    }

    /// <summary>q(z|x): the mean and log variance, [n × latent] each.</summary>
    public static (Var Mean, Var LogVariance) Encode<T>(Tape<T> tape, VaeConfig config, ReadOnlySpan<Var> p, Var x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = config.HiddenSizes.Count;
        Var h = x;
        for (int i = 0; i < hidden; i++) h = tape.Linear(h, p[2 * i], p[2 * i + 1], config.Activation);
        Var mean = tape.Linear(h, p[2 * hidden], p[2 * hidden + 1]);
        Var logVariance = tape.Linear(h, p[2 * hidden + 2], p[2 * hidden + 3]);
        return (mean, logVariance);
    }

    /// <summary>p(x|z): Bernoulli logits (second value unused), or the Gaussian's mean and log variance.</summary>
    public static (Var First, Var Second) Decode<T>(Tape<T> tape, VaeConfig config, ReadOnlySpan<Var> p, Var z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = config.HiddenSizes.Count;
        int layer = hidden + 2;
        Var h = z;
        for (int i = 0; i < hidden; i++, layer++) h = tape.Linear(h, p[2 * layer], p[2 * layer + 1], config.Activation);
        Var first = tape.Linear(h, p[2 * layer], p[2 * layer + 1]);
        if (config.Likelihood == Likelihood.Bernoulli) return (first, default);
        layer++;
        return (first, tape.Linear(h, p[2 * layer], p[2 * layer + 1]));
    }

    /// <summary>log p(x | decoded), one value per row.</summary>
    public static Var LogLikelihood<T>(Tape<T> tape, VaeConfig config, (Var First, Var Second) decoded, Var x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        config.Likelihood == Likelihood.Bernoulli
            ? tape.BernoulliLogLikelihood(decoded.First, x)
            : tape.GaussianLogLikelihood(x, decoded.First, decoded.Second);

    /// <summary>
    /// The ELBO's terms for the rows of <paramref name="x"/>, with one noise input [n × latent] per sample
    /// (ε ~ N(0, I), filled by the caller). The reconstruction term is averaged over the samples; the KL
    /// is analytic, or averaged log q(z|x) − log p(z) at the samples for the Monte Carlo estimator.
    /// </summary>
    public static ElboTerms Elbo<T>(Tape<T> tape, VaeConfig config, Estimator estimator, ReadOnlySpan<Var> p, Var x, ReadOnlySpan<Var> noise)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Var mean, Var logVariance) = Encode(tape, config, p, x);
        Var reconstruction = default, kl = default;
        for (int l = 0; l < noise.Length; l++)
        {
            Var z = tape.Reparameterize(mean, logVariance, noise[l]);
            Var logLikelihood = LogLikelihood(tape, config, Decode(tape, config, p, z), x);
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
    /// The loss to minimise for a shard of a minibatch of <paramref name="batchSize"/> examples:
    /// −(1/M)·Σ_rows (reconstruction − klWeight·KL), so shard gradients add up to the minibatch's.
    /// </summary>
    public static Var Loss<T>(Tape<T> tape, ElboTerms terms, T klWeight, int batchSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var objective = klWeight == T.One
            ? tape.Subtract(terms.Reconstruction, terms.Kl)
            : tape.Subtract(terms.Reconstruction, tape.Scale(terms.Kl, klWeight));
        return tape.Scale(tape.Sum(objective), -T.One / T.CreateChecked(batchSize));
    }

    /// <summary>A noise input of shape [rows × latent].</summary>
    public static Var NoiseInput<T>(Tape<T> tape, int rows, int latent) where T : unmanaged, IFloatingPointIeee754<T> =>
        tape.Input(TensorShape.Matrix(rows, latent));
}
