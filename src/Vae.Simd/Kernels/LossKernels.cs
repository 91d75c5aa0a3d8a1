namespace Vae.Simd.Kernels;

/// <summary>
/// Fused kernels of the Bernoulli likelihood, the VAE's widest loss (one value per pixel): the forward
/// and the gradient each make one pass over the logits instead of four, through the reduction and
/// element-wise drivers.
/// </summary>
internal static class LossKernels
{
    /// <summary>
    /// destination[r] = Σ_c x[r,c]·l[r,c] − softplus(l[r,c]): log p(x | logits) of a Bernoulli, exact
    /// for targets in [0, 1] (the continuous relaxation everyone uses for grey pixels).
    /// </summary>
    public static void BernoulliLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int columns, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
            destination[r] = ReductionDriver.Sum<BernoulliTerm>(0f, logits.Slice(r * columns, columns), targets.Slice(r * columns, columns));
    }

    /// <summary>gradient[r,c] += upstream[r] · (x[r,c] − sigmoid(l[r,c])).</summary>
    public static void BernoulliLogLikelihoodGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int columns,
        ReadOnlySpan<float> upstream, Span<float> gradient)
    {
        for (int r = 0; r < rows; r++)
        {
            int start = r * columns;
            ElementWiseDriver.AddTernary<BernoulliGradientTerm>(upstream[r], logits.Slice(start, columns), targets.Slice(start, columns), gradient.Slice(start, columns));
        }
    }

    /// <summary>x·l − softplus(l) for logit l and target x.</summary>
    private readonly struct BernoulliTerm : ITernaryOperator
    {
        public static TV Invoke<TV>(TV unused, TV l, TV x) where TV : struct, ILanes<TV> => x * l - SoftplusOperator.Invoke(l);
    }

    /// <summary>u·(x − σ(l)) for upstream u, logit l and target x.</summary>
    private readonly struct BernoulliGradientTerm : ITernaryOperator
    {
        public static TV Invoke<TV>(TV u, TV l, TV x) where TV : struct, ILanes<TV> => u * (x - SigmoidOperator.Invoke(l));
    }
}
