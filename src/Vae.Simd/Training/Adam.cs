using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Training;

/// <summary>
/// Adam (Kingma &amp; Ba): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η·m̂ / (√v̂ + ε) with bias-corrected
/// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); g includes λθ (L2, as PyTorch's Adam weight_decay).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[] _first;
    private readonly float[] _second;

    /// <summary>Adam with the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8 unless given.</summary>
    public Adam(int length, float learningRate, float weightDecay = 0f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : base(length, learningRate, weightDecay)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentException($"Adam: beta1 must be in [0, 1); got {beta1}.", nameof(beta1));
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentException($"Adam: beta2 must be in [0, 1); got {beta2}.", nameof(beta2));
        if (!(epsilon > 0f)) throw new ArgumentException($"Adam: epsilon must be positive; got {epsilon}.", nameof(epsilon));
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
        _first = new float[length];
        _second = new float[length];
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }
    /// <summary>β₂.</summary>
    public float Beta2 { get; }
    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.Adam;

    /// <inheritdoc/>
    public override IReadOnlyList<float[]> State => [_first, _second];

    internal override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int count)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters.Slice(start, count));
        ref float g = ref MemoryMarshal.GetReference(gradients.Slice(start, count));
        ref float m = ref MemoryMarshal.GetReference(_first.AsSpan(start, count));
        ref float v = ref MemoryMarshal.GetReference(_second.AsSpan(start, count));
        float b1 = Beta1, b2 = Beta2, wd = WeightDecay, eps = Epsilon;
        // Bias corrections in double: β₂ᵗ loses precision in float after ~10⁴ steps.
        float stepSize = (float)(LearningRate / (1 - Math.Pow(b1, Steps)));
        float secondCorrection = (float)(1 / Math.Sqrt(1 - Math.Pow(b2, Steps)));
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vb1 = Vector256.Create(b1), vc1 = Vector256.Create(1 - b1), vb2 = Vector256.Create(b2), vc2 = Vector256.Create(1 - b2);
            Vector256<float> vwd = Vector256.Create(wd), veps = Vector256.Create(eps), vstep = Vector256.Create(stepSize), vsc = Vector256.Create(secondCorrection);
            for (; i <= count - 8; i += 8)
            {
                Vector256<float> theta = Vector256.LoadUnsafe(ref p, (nuint)i);
                Vector256<float> grad = Vector256.LoadUnsafe(ref g, (nuint)i) + vwd * theta;
                Vector256<float> mt = vb1 * Vector256.LoadUnsafe(ref m, (nuint)i) + vc1 * grad;
                Vector256<float> vt = vb2 * Vector256.LoadUnsafe(ref v, (nuint)i) + vc2 * grad * grad;
                mt.StoreUnsafe(ref m, (nuint)i);
                vt.StoreUnsafe(ref v, (nuint)i);
                (theta - vstep * mt / (Vector256.Sqrt(vt) * vsc + veps)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            float theta = Unsafe.Add(ref p, i);
            float grad = Unsafe.Add(ref g, i) + wd * theta;
            float mt = b1 * Unsafe.Add(ref m, i) + (1 - b1) * grad;
            float vt = b2 * Unsafe.Add(ref v, i) + (1 - b2) * grad * grad;
            Unsafe.Add(ref m, i) = mt;
            Unsafe.Add(ref v, i) = vt;
            Unsafe.Add(ref p, i) = theta - stepSize * mt / (MathF.Sqrt(vt) * secondCorrection + eps);
        }
    }
}
