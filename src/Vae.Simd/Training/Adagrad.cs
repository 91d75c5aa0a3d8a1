using Vae.Simd.Kernels;

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

    private protected override void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float[]> moreShards, int start) =>
        OptimizerDriver.Update(new Rule(LearningRate, WeightDecay, Epsilon), parameters, gradient, moreShards, start,
            _sumOfSquares.AsSpan(start, parameters.Length), default);

    /// <summary>g ← g + λθ; h ← h + g²; θ ← θ − η·g / (√h + ε).</summary>
    private readonly struct Rule(float learningRate, float weightDecay, float epsilon) : IUpdateRule
    {
        public static bool HasSecondState => false;

        public RuleConstants<TV> Broadcast<TV>() where TV : struct, ILanes<TV> =>
            new(TV.Create(weightDecay), TV.Create(learningRate), TV.Create(epsilon));

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public TV Apply<TV>(in RuleConstants<TV> k, TV theta, TV gradient, ref TV first, ref TV second) where TV : struct, ILanes<TV>
        {
            TV g = gradient + k.A * theta;
            first += g * g;
            return theta - k.B * g / (TV.Sqrt(first) + k.C);
        }
    }
}
