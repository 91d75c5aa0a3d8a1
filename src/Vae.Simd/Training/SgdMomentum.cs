using Vae.Simd.Kernels;

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

    private protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float[]> moreShards, int start) =>
        OptimizerDriver.Update(new Rule(Momentum, LearningRate, WeightDecay), parameters, gradient, moreShards, start,
            _velocity.AsSpan(start, parameters.Length), default);

    /// <summary>v ← μv + g + λθ; θ ← θ − η·v.</summary>
    private readonly struct Rule(float momentum, float learningRate, float weightDecay) : IUpdateRule
    {
        public static bool HasSecondState => false;

        public RuleConstants<TV> Broadcast<TV>() where TV : struct, ILanes<TV> =>
            new(TV.Create(momentum), TV.Create(weightDecay), TV.Create(learningRate));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public TV Apply<TV>(in RuleConstants<TV> k, TV theta, TV gradient, ref TV first, ref TV second) where TV : struct, ILanes<TV>
        {
            first = k.A * first + gradient + k.B * theta;
            return theta - k.C * first;
        }
    }
}
