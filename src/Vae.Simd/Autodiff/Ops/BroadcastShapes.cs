using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>The one broadcast the ops allow: a vector of a matrix's column count added to every row.</summary>
internal static class BroadcastShapes
{
    /// <summary>True when b is applied to every row of a; throws when the shapes fit neither way.</summary>
    public static bool IsRowBroadcast(TensorShape a, TensorShape b, string op)
    {
        if (a == b) return false;
        if (b.Length == a.Columns && b.Rows == 1 && a.Rank >= 2) return true;
        throw new ArgumentException($"{op}: shapes {a} and {b} differ, and {b} is not a row of {a.Columns} to broadcast over {a.Rows} rows.");
    }
}
