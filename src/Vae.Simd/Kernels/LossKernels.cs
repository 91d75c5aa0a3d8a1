using System.Runtime.CompilerServices;

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

    /// <summary>gradient[r,c] += upstream[r] · (x[r,c] − sigmoid(l[r,c])) when <paramref name="add"/>, else gradient[r,c] = that term (old values not read).</summary>
    public static void BernoulliLogLikelihoodGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int columns,
        ReadOnlySpan<float> upstream, Span<float> gradient, bool add)
    {
        for (int r = 0; r < rows; r++)
        {
            int start = r * columns;
            if (add) ElementWiseDriver.AddTernary<BernoulliGradientTerm>(upstream[r], logits.Slice(start, columns), targets.Slice(start, columns), gradient.Slice(start, columns));
            else ElementWiseDriver.Ternary<BernoulliGradientTerm>(upstream[r], logits.Slice(start, columns), targets.Slice(start, columns), gradient.Slice(start, columns));
        }
    }

    /// <summary>
    /// x·l − softplus(l) for logit l and target x, as x·l − max(l, 0) − log(1 + e^−|l|). It does not call
    /// <see cref="SoftplusOperator"/>: e^−|l| lies in (0, 1], so <see cref="Transcendentals.ExpOfNegated"/> and
    /// <see cref="Transcendentals.Log1pOfUnitInterval"/> need none of the general exp's and log1p's range
    /// handling (half the work; this is the step's widest transcendental). The softplus activation keeps its
    /// own bits, because those reach the trained weights; this value only reaches the reported bound and the
    /// IWAE sample weights. Limits as before: NaN in gives NaN, l = +∞ gives NaN (∞ − ∞), l = −∞ gives −∞
    /// (NaN where x = 0).
    /// </summary>
    private readonly struct BernoulliTerm : ITernaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Invoke<TV>(TV unused, TV l, TV x) where TV : struct, ILanes<TV>
        {
            // max(l, 0) as a mask, not a Select of l itself: NaN compares false and gives 0, x·l carries the NaN.
            TV positive = TV.GreaterThan(l, TV.Create(0f)) & l;
            TV log1p = Transcendentals.Log1pOfUnitInterval(Transcendentals.ExpOfNegated(l & TV.CreateBits(0x7FFFFFFFu)));
            // x·l − max(l, 0) first: it is exact where the two cancel (x = 1, l > 0), and the small log1p then stays whole.
            return x * l - positive - log1p;
        }
    }

    /// <summary>u·(x − σ(l)) for upstream u, logit l and target x.</summary>
    private readonly struct BernoulliGradientTerm : ITernaryOperator
    {
        public static TV Invoke<TV>(TV u, TV l, TV x) where TV : struct, ILanes<TV> => u * (x - SigmoidOperator.Invoke(l));
    }
}
