using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>
/// Fused kernels of the Bernoulli likelihood, the VAE's widest loss (one value per pixel): the forward
/// and the gradient each make one pass over the logits instead of four.
/// </summary>
internal static class LossKernels
{
    /// <summary>
    /// destination[r] = Σ_c x[r,c]·l[r,c] − softplus(l[r,c]): log p(x | logits) of a Bernoulli, exact
    /// for targets in [0, 1] (the continuous relaxation everyone uses for grey pixels).
    /// </summary>
    public static void BernoulliLogLikelihood(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int columns, Span<float> destination)
    {
        ref float ls = ref MemoryMarshal.GetReference(logits);
        ref float xs = ref MemoryMarshal.GetReference(targets);
        for (int r = 0; r < rows; r++)
        {
            int start = r * columns, c = 0;
            float sum = 0f;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> acc = Vector256<float>.Zero;
                for (; c <= columns - 8; c += 8)
                {
                    Vector256<float> l = Vector256.LoadUnsafe(ref ls, (nuint)(start + c));
                    Vector256<float> x = Vector256.LoadUnsafe(ref xs, (nuint)(start + c));
                    acc += x * l - SoftplusOperator.Invoke(l);
                }
                sum = Vector256.Sum(acc);
            }
            for (; c < columns; c++)
            {
                float l = Unsafe.Add(ref ls, start + c);
                sum += Unsafe.Add(ref xs, start + c) * l - SoftplusOperator.Invoke(l);
            }
            destination[r] = sum;
        }
    }

    /// <summary>gradient[r,c] += upstream[r] · (x[r,c] − sigmoid(l[r,c])).</summary>
    public static void BernoulliLogLikelihoodGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, int columns,
        ReadOnlySpan<float> upstream, Span<float> gradient)
    {
        ref float ls = ref MemoryMarshal.GetReference(logits);
        ref float xs = ref MemoryMarshal.GetReference(targets);
        ref float gs = ref MemoryMarshal.GetReference(gradient);
        for (int r = 0; r < rows; r++)
        {
            int start = r * columns, c = 0;
            float u = upstream[r];
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> uv = Vector256.Create(u);
                for (; c <= columns - 8; c += 8)
                {
                    nuint at = (nuint)(start + c);
                    Vector256<float> l = Vector256.LoadUnsafe(ref ls, at);
                    Vector256<float> x = Vector256.LoadUnsafe(ref xs, at);
                    (Vector256.LoadUnsafe(ref gs, at) + uv * (x - SigmoidOperator.Invoke(l))).StoreUnsafe(ref gs, at);
                }
            }
            for (; c < columns; c++)
            {
                float l = Unsafe.Add(ref ls, start + c);
                Unsafe.Add(ref gs, start + c) += u * (Unsafe.Add(ref xs, start + c) - SigmoidOperator.Invoke(l));
            }
        }
    }
}
