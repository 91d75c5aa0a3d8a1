using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vae.Simd.Kernels;

/// <summary>
/// One optimizer's update of one parameter: the rule's math for any lane width, holding its settings
/// (step size, decay, …) as fields. <see cref="OptimizerDriver"/> owns the loop.
/// </summary>
internal interface IUpdateRule
{
    /// <summary>Whether the rule keeps a second state array (Adam's second moment).</summary>
    static abstract bool HasSecondState { get; }

    /// <summary>
    /// The rule's settings as vectors, made once per pass: broadcasts written inside <see cref="Apply"/> were
    /// redone on every vector (the JIT did not hoist them), and Adam's pass over cache-resident data took 0.355 ms
    /// on one core instead of 0.256 (bench/RESULTS.md).
    /// </summary>
    RuleConstants<TV> Broadcast<TV>() where TV : struct, ILanes<TV>;

    /// <summary>Returns the new parameter from θ and the gradient g, updating the rule's state in place.</summary>
    TV Apply<TV>(in RuleConstants<TV> constants, TV theta, TV gradient, ref TV first, ref TV second) where TV : struct, ILanes<TV>;
}

/// <summary>Up to eight settings of an <see cref="IUpdateRule"/>, each broadcast to all lanes; what each means is the rule's.</summary>
internal readonly struct RuleConstants<TV>(TV a, TV b = default, TV c = default, TV d = default, TV e = default, TV f = default, TV g = default, TV h = default)
    where TV : struct, ILanes<TV>
{
    public readonly TV A = a, B = b, C = c, D = d, E = e, F = f, G = g, H = h;
}

/// <summary>
/// The fused "reduce shards + update" pass every optimizer runs: for each run of lanes, the gradient is
/// the sum of the shards' gradients in shard order (((g₀ + g₁) + g₂) + …, the same order at every width),
/// and the rule updates θ and its state from it — one read of each buffer, one write of θ and the state.
/// </summary>
internal static class OptimizerDriver
{
    /// <summary>
    /// Updates <paramref name="parameters"/> and the state (all already sliced to the range) from
    /// <paramref name="gradient"/> plus, element by element, the same range of every array in
    /// <paramref name="moreShards"/> starting at <paramref name="start"/>.
    /// </summary>
    public static void Update<TRule>(TRule rule, Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float[]> moreShards, int start,
        Span<float> first, Span<float> second) where TRule : struct, IUpdateRule
    {
        int n = parameters.Length;
        if (gradient.Length != n || first.Length != n || (TRule.HasSecondState && second.Length != n))
            throw new ArgumentException($"{typeof(TRule).Name}: parameters, gradient and state must have the same length; got {n}, {gradient.Length}, {first.Length}.");
        foreach (float[] shard in moreShards)
            if (shard.Length < start + n) throw new ArgumentException($"{typeof(TRule).Name}: a shard gradient has {shard.Length} elements; expected at least {start + n}.");
        // The trainer's usual case, two shards, gets a loop of its own with the second buffer's reference taken once
        // instead of a loop over the shard array on every vector: Adam's pass over 652,824 cache-resident parameters
        // 0.268 → 0.254 ms on one core, 0.139 → 0.132 on two. The sum is the same ((g₀ + g₁) + …) in every loop.
        ref float second0 = ref moreShards.Length == 0 ? ref Unsafe.NullRef<float>() : ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(moreShards[0]), start);
        int i = (KernelPath.Width, moreShards.Length) switch
        {
            (LaneWidth.Vector256, 0) => Run<TRule, Lanes8, OneShard>(ref rule, parameters, gradient, ref second0, moreShards, start, first, second, 0),
            (LaneWidth.Vector256, 1) => Run<TRule, Lanes8, TwoShards>(ref rule, parameters, gradient, ref second0, moreShards, start, first, second, 0),
            (LaneWidth.Vector256, _) => Run<TRule, Lanes8, ManyShards>(ref rule, parameters, gradient, ref second0, moreShards, start, first, second, 0),
            (LaneWidth.Vector128, _) => Run<TRule, Lanes4, ManyShards>(ref rule, parameters, gradient, ref second0, moreShards, start, first, second, 0),
            _ => 0,
        };
        Run<TRule, Lanes1, ManyShards>(ref rule, parameters, gradient, ref second0, moreShards, start, first, second, i);
    }

    private static int Run<TRule, TV, TShards>(ref TRule rule, Span<float> parameters, ReadOnlySpan<float> gradient, ref float secondShard, ReadOnlySpan<float[]> moreShards, int start,
        Span<float> first, Span<float> second, int i) where TRule : struct, IUpdateRule where TV : struct, ILanes<TV> where TShards : IShardCount
    {
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float s1 = ref MemoryMarshal.GetReference(first);
        ref float s2 = ref MemoryMarshal.GetReference(second);
        int n = parameters.Length, w = TV.Count;
        RuleConstants<TV> constants = rule.Broadcast<TV>();
        for (; i <= n - w; i += w)
        {
            nuint at = (nuint)i;
            TV sum = TV.Load(ref g, at);
            if (TShards.Count == 2) sum += TV.Load(ref secondShard, at);
            else if (TShards.Count > 2) foreach (float[] shard in moreShards) sum += TV.Load(ref shard[start], at);
            TV m = TV.Load(ref s1, at);
            TV v = TRule.HasSecondState ? TV.Load(ref s2, at) : m;
            TV.Store(rule.Apply(in constants, TV.Load(ref p, at), sum, ref m, ref v), ref p, at);
            TV.Store(m, ref s1, at);
            if (TRule.HasSecondState) TV.Store(v, ref s2, at);
        }
        return i;
    }

    /// <summary>How many shard buffers a loop adds (a constant per specialisation; 3 stands for "any number").</summary>
    private interface IShardCount { static abstract int Count { get; } }
    private readonly struct OneShard : IShardCount { public static int Count => 1; }
    private readonly struct TwoShards : IShardCount { public static int Count => 2; }
    private readonly struct ManyShards : IShardCount { public static int Count => 3; }
}
