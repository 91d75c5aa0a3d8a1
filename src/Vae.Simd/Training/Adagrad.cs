using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Training;

/// <summary>Adagrad (Duchi et al.), the paper's optimizer: h ← h + g²; θ ← θ − η·g / (√h + ε), with g including λθ.</summary>
public sealed class Adagrad : Optimizer
{
    private readonly float[] _sumOfSquares;

    /// <summary>Adagrad with accumulator start <paramref name="initialAccumulator"/> and ε.</summary>
    public Adagrad(int length, float learningRate, float weightDecay = 0f, float epsilon = 1e-10f, float initialAccumulator = 0f) : base(length, learningRate, weightDecay)
    {
        if (!(epsilon > 0f)) throw new ArgumentException($"Adagrad: epsilon must be positive; got {epsilon}.", nameof(epsilon));
        Epsilon = epsilon;
        _sumOfSquares = new float[length];
        Array.Fill(_sumOfSquares, initialAccumulator);
    }

    /// <summary>ε in the denominator.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.Adagrad;

    /// <inheritdoc/>
    public override IReadOnlyList<float[]> State => [_sumOfSquares];

    internal override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int count)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters.Slice(start, count));
        ref float g = ref MemoryMarshal.GetReference(gradients.Slice(start, count));
        ref float h = ref MemoryMarshal.GetReference(_sumOfSquares.AsSpan(start, count));
        float lr = LearningRate, wd = WeightDecay, eps = Epsilon;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vlr = Vector256.Create(lr), vwd = Vector256.Create(wd), veps = Vector256.Create(eps);
            for (; i <= count - 8; i += 8)
            {
                Vector256<float> theta = Vector256.LoadUnsafe(ref p, (nuint)i);
                Vector256<float> grad = Vector256.LoadUnsafe(ref g, (nuint)i) + vwd * theta;
                Vector256<float> acc = Vector256.LoadUnsafe(ref h, (nuint)i) + grad * grad;
                acc.StoreUnsafe(ref h, (nuint)i);
                (theta - vlr * grad / (Vector256.Sqrt(acc) + veps)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            float theta = Unsafe.Add(ref p, i);
            float grad = Unsafe.Add(ref g, i) + wd * theta;
            float acc = Unsafe.Add(ref h, i) + grad * grad;
            Unsafe.Add(ref h, i) = acc;
            Unsafe.Add(ref p, i) = theta - lr * grad / (MathF.Sqrt(acc) + eps);
        }
    }
}
