using System.Numerics;

namespace Vae.Simd.Autodiff;

/// <summary>
/// Where the ops are not differentiable: for each recorded op with a kink, the value whose side of the
/// kink selects the branch of its forward, and where the kink lies. <see cref="GradCheck"/> compares the
/// sides at x and at x ± h; a side that changes means the finite difference straddles a kink, where it
/// measures neither one-sided derivative.
/// </summary>
/// <remarks>
/// The op set is closed, so this list is too: today every kink is ReLU's at 0, alone or fused into
/// <see cref="OpKind.Linear"/>. Its side is read from the output, y &gt; 0 exactly when the pre-activation
/// is &gt; 0, so no pre-activation needs to be kept. An op with another kink adds one case here: abs(x)
/// watches x at 0; a clamp to [lo, hi] watches its input at lo and at hi.
/// </remarks>
internal static class OpKinks
{
    /// <summary>One kink of a recorded op: the watched value is on one side of <c>At</c> or the other, element by element.</summary>
    internal readonly record struct Kink(string Op, Var Watched, double At);

    /// <summary>The kinks of <paramref name="op"/>, if it has any (at most two: a clamp's bounds).</summary>
    public static int Of(in OpRecord op, Span<Kink> into)
    {
        switch (op.Kind)
        {
            case OpKind.Relu:
                into[0] = new Kink("Relu", new Var(op.Output), 0);
                return 1;
            case OpKind.Linear when (Activation)op.Attribute == Activation.Relu:
                into[0] = new Kink("Linear(Relu)", new Var(op.Output), 0);
                return 1;
            default:
                return 0;
        }
    }

    /// <summary>The side (value &gt; kink) of every element of every kink on the tape, in recording order.</summary>
    public static void Sides<T>(Tape<T> tape, List<bool> into) where T : unmanaged, IFloatingPointIeee754<T>
    {
        into.Clear();
        var kinks = new Kink[2];
        foreach (ref readonly OpRecord op in tape.Records)
        {
            int count = Of(in op, kinks);
            for (int k = 0; k < count; k++)
            {
                T at = T.CreateChecked(kinks[k].At);
                foreach (T v in tape.Value(kinks[k].Watched)) into.Add(v > at);
            }
        }
    }

    /// <summary>
    /// The first kink whose side differs between <paramref name="reference"/> and <paramref name="now"/>,
    /// described as "Op #i (output slot s) element e at kink k"; null when none changed.
    /// </summary>
    public static string? FirstCrossed<T>(Tape<T> tape, List<bool> reference, List<bool> now) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kinks = new Kink[2];
        int position = 0;
        ReadOnlySpan<OpRecord> records = tape.Records;
        for (int i = 0; i < records.Length; i++)
        {
            int count = Of(in records[i], kinks);
            for (int k = 0; k < count; k++)
            {
                int length = tape.Shape(kinks[k].Watched).Length;
                for (int e = 0; e < length; e++, position++)
                    if (reference[position] != now[position])
                        return $"{kinks[k].Op} (op #{i}) element {e}: its input crosses the kink at {kinks[k].At}";
            }
        }
        return null;
    }
}
