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

    /// <summary>Returns the new parameter from θ and the gradient g, updating the rule's state in place.</summary>
    TV Apply<TV>(TV theta, TV gradient, ref TV first, ref TV second) where TV : struct, ILanes<TV>;
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
        int i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => Run<TRule, Lanes8>(ref rule, parameters, gradient, moreShards, start, first, second, 0),
            LaneWidth.Vector128 => Run<TRule, Lanes4>(ref rule, parameters, gradient, moreShards, start, first, second, 0),
            _ => 0,
        };
        Run<TRule, Lanes1>(ref rule, parameters, gradient, moreShards, start, first, second, i);
    }

    private static int Run<TRule, TV>(ref TRule rule, Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float[]> moreShards, int start,
        Span<float> first, Span<float> second, int i) where TRule : struct, IUpdateRule where TV : struct, ILanes<TV>
    {
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float s1 = ref MemoryMarshal.GetReference(first);
        ref float s2 = ref MemoryMarshal.GetReference(second);
        int n = parameters.Length, w = TV.Count;
        for (; i <= n - w; i += w)
        {
            nuint at = (nuint)i;
            TV sum = TV.Load(ref g, at);
            foreach (float[] shard in moreShards) sum += TV.Load(ref shard[start], at);
            TV m = TV.Load(ref s1, at);
            TV v = TRule.HasSecondState ? TV.Load(ref s2, at) : m;
            TV.Store(rule.Apply(TV.Load(ref p, at), sum, ref m, ref v), ref p, at);
            TV.Store(m, ref s1, at);
            if (TRule.HasSecondState) TV.Store(v, ref s2, at);
        }
        return i;
    }
}
