using Vae.Simd.Kernels;

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

    private protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float[]> moreShards, int start)
    {
        // Bias corrections in double: β₂ᵗ loses precision in float after ~10⁴ steps.
        var rule = new Rule(Beta1, Beta2, WeightDecay, Epsilon,
            stepSize: (float)(LearningRate / (1 - Math.Pow(Beta1, Steps))),
            secondCorrection: (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, Steps))));
        int count = parameters.Length;
        OptimizerDriver.Update(rule, parameters, gradient, moreShards, start, _first.AsSpan(start, count), _second.AsSpan(start, count));
    }

    /// <summary>g ← g + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η̂·m / (√v·ĉ + ε).</summary>
    private readonly struct Rule(float beta1, float beta2, float weightDecay, float epsilon, float stepSize, float secondCorrection) : IUpdateRule
    {
        public static bool HasSecondState => true;

        public RuleConstants<TV> Broadcast<TV>() where TV : struct, ILanes<TV> => new(
            TV.Create(beta1), TV.Create(1 - beta1), TV.Create(beta2), TV.Create(1 - beta2),
            TV.Create(weightDecay), TV.Create(stepSize), TV.Create(secondCorrection), TV.Create(epsilon));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public TV Apply<TV>(in RuleConstants<TV> k, TV theta, TV gradient, ref TV first, ref TV second) where TV : struct, ILanes<TV>
        {
            TV g = gradient + k.E * theta;
            first = k.A * first + k.B * g;
            second = k.C * second + k.D * g * g;
            return theta - k.F * first / (TV.Sqrt(second) * k.G + k.H);
        }
    }
}
