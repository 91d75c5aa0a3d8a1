using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Training;

/// <summary>SGD with (heavy-ball) momentum μ: v ← μ·v + g + λθ; θ ← θ − η·v.</summary>
public sealed class SgdMomentum : Optimizer
{
    private readonly float[] _velocity;

    /// <summary>SGD with momentum <paramref name="momentum"/> (0 gives plain SGD).</summary>
    public SgdMomentum(int length, float learningRate, float weightDecay = 0f, float momentum = 0.9f) : base(length, learningRate, weightDecay)
    {
        if (!(momentum >= 0f && momentum < 1f)) throw new ArgumentException($"SGD: momentum must be in [0, 1); got {momentum}.", nameof(momentum));
        Momentum = momentum;
        _velocity = new float[length];
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    public override OptimizerKind Kind => OptimizerKind.Sgd;

    /// <inheritdoc/>
    public override IReadOnlyList<float[]> State => [_velocity];

    internal override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int count)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters.Slice(start, count));
        ref float g = ref MemoryMarshal.GetReference(gradients.Slice(start, count));
        ref float v = ref MemoryMarshal.GetReference(_velocity.AsSpan(start, count));
        float mu = Momentum, lr = LearningRate, wd = WeightDecay;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vmu = Vector256.Create(mu), vlr = Vector256.Create(lr), vwd = Vector256.Create(wd);
            for (; i <= count - 8; i += 8)
            {
                Vector256<float> theta = Vector256.LoadUnsafe(ref p, (nuint)i);
                Vector256<float> vel = vmu * Vector256.LoadUnsafe(ref v, (nuint)i) + Vector256.LoadUnsafe(ref g, (nuint)i) + vwd * theta;
                vel.StoreUnsafe(ref v, (nuint)i);
                (theta - vlr * vel).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < count; i++)
        {
            float theta = Unsafe.Add(ref p, i);
            float vel = mu * Unsafe.Add(ref v, i) + Unsafe.Add(ref g, i) + wd * theta;
            Unsafe.Add(ref v, i) = vel;
            Unsafe.Add(ref p, i) = theta - lr * vel;
        }
    }
}
