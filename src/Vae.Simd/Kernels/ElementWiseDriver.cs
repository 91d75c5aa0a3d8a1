using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Vae.Simd.Kernels;

/// <summary>An element-wise function of one value, written once for every lane width.</summary>
internal interface IUnaryOperator
{
    static abstract TV Invoke<TV>(TV x) where TV : struct, ILanes<TV>;
}

/// <summary>An element-wise function of two values.</summary>
internal interface IBinaryOperator
{
    static abstract TV Invoke<TV>(TV x, TV y) where TV : struct, ILanes<TV>;
}

/// <summary>An element-wise function of three values.</summary>
internal interface ITernaryOperator
{
    static abstract TV Invoke<TV>(TV x, TV y, TV z) where TV : struct, ILanes<TV>;
}

/// <summary>
/// The one loop behind every element-wise kernel (the TensorPrimitives pattern): the math lives in small
/// operator structs, and the JIT specialises these generic methods per struct and per lane width, so there
/// is no call per element. The width is chosen once per call (<see cref="KernelPath.Width"/>); the body
/// runs two vectors per iteration, then single vectors, then a tail of single lanes through the same
/// operator (not an overlapping last vector: the destination may alias a source, and recomputing an
/// element in place would apply f twice). Every lane computes the same formula, so the result does not
/// depend on the width. To add an operation, write a struct implementing one of the operator interfaces
/// and call Unary, Binary or Ternary with it.
/// </summary>
internal static class ElementWiseDriver
{
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> destination) where TOp : IUnaryOperator
    {
        if (x.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, x.Length, destination.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => Unary<TOp, Lanes8>(ref xs, ref ds, 0, n),
            LaneWidth.Vector128 => Unary<TOp, Lanes4>(ref xs, ref ds, 0, n),
            _ => 0,
        };
        Unary<TOp, Lanes1>(ref xs, ref ds, i, n);
    }

    public static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) where TOp : IBinaryOperator
    {
        if (x.Length != y.Length || x.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, x.Length, y.Length, destination.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => Binary<TOp, Lanes8>(ref xs, ref ys, ref ds, 0, n),
            LaneWidth.Vector128 => Binary<TOp, Lanes4>(ref xs, ref ys, ref ds, 0, n),
            _ => 0,
        };
        Binary<TOp, Lanes1>(ref xs, ref ys, ref ds, i, n);
    }

    public static void Ternary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination) where TOp : ITernaryOperator
    {
        if (x.Length != y.Length || x.Length != z.Length || x.Length != destination.Length)
            throw new ArgumentException($"{typeof(TOp).Name}: operands have {x.Length}, {y.Length} and {z.Length} elements and destination has {destination.Length}; all must be equal.");
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => Ternary<TOp, Lanes8>(ref xs, ref ys, ref zs, ref ds, 0, n),
            LaneWidth.Vector128 => Ternary<TOp, Lanes4>(ref xs, ref ys, ref zs, ref ds, 0, n),
            _ => 0,
        };
        Ternary<TOp, Lanes1>(ref xs, ref ys, ref zs, ref ds, i, n);
    }

    /// <summary>destination[i] = TOp(x, y[i]): the first operand is one number for every element (a scale, a step size).</summary>
    public static void Binary<TOp>(float x, ReadOnlySpan<float> y, Span<float> destination) where TOp : IBinaryOperator
    {
        if (y.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, y.Length, destination.Length);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = y.Length, i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => Broadcast<TOp, Lanes8>(x, ref ys, ref ds, 0, n),
            LaneWidth.Vector128 => Broadcast<TOp, Lanes4>(x, ref ys, ref ds, 0, n),
            _ => 0,
        };
        Broadcast<TOp, Lanes1>(x, ref ys, ref ds, i, n);
    }

    /// <summary>destination[i] = TOp(x, y[i], z[i]) with one number x for every element.</summary>
    public static void Ternary<TOp>(float x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination) where TOp : ITernaryOperator
    {
        if (y.Length != z.Length || y.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, y.Length, z.Length, destination.Length);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = y.Length, i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => Broadcast<TOp, Lanes8>(x, ref ys, ref zs, ref ds, 0, n),
            LaneWidth.Vector128 => Broadcast<TOp, Lanes4>(x, ref ys, ref zs, ref ds, 0, n),
            _ => 0,
        };
        Broadcast<TOp, Lanes1>(x, ref ys, ref zs, ref ds, i, n);
    }

    /// <summary>destination[i] += TOp(x, y[i], z[i]) with one number x for every element (a gradient scaled per row).</summary>
    public static void AddTernary<TOp>(float x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination) where TOp : ITernaryOperator
    {
        if (y.Length != z.Length || y.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, y.Length, z.Length, destination.Length);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = y.Length, i = KernelPath.Width switch
        {
            LaneWidth.Vector256 => AddBroadcast<TOp, Lanes8>(x, ref ys, ref zs, ref ds, 0, n),
            LaneWidth.Vector128 => AddBroadcast<TOp, Lanes4>(x, ref ys, ref zs, ref ds, 0, n),
            _ => 0,
        };
        AddBroadcast<TOp, Lanes1>(x, ref ys, ref zs, ref ds, i, n);
    }

    /// <summary>Runs <typeparamref name="TOp"/> over [i, n) in steps of <typeparamref name="TV"/>; returns where it stopped.</summary>
    private static int Unary<TOp, TV>(ref float xs, ref float ds, int i, int n) where TOp : IUnaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            TV a = TV.Load(ref xs, (nuint)i), b = TV.Load(ref xs, (nuint)(i + w));
            TV.Store(TOp.Invoke(a), ref ds, (nuint)i);
            TV.Store(TOp.Invoke(b), ref ds, (nuint)(i + w));
        }
        for (; i <= n - w; i += w) TV.Store(TOp.Invoke(TV.Load(ref xs, (nuint)i)), ref ds, (nuint)i);
        return i;
    }

    private static int Binary<TOp, TV>(ref float xs, ref float ys, ref float ds, int i, int n) where TOp : IBinaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            TV a0 = TV.Load(ref xs, (nuint)i), a1 = TV.Load(ref xs, (nuint)(i + w));
            TV b0 = TV.Load(ref ys, (nuint)i), b1 = TV.Load(ref ys, (nuint)(i + w));
            TV.Store(TOp.Invoke(a0, b0), ref ds, (nuint)i);
            TV.Store(TOp.Invoke(a1, b1), ref ds, (nuint)(i + w));
        }
        for (; i <= n - w; i += w) TV.Store(TOp.Invoke(TV.Load(ref xs, (nuint)i), TV.Load(ref ys, (nuint)i)), ref ds, (nuint)i);
        return i;
    }

    private static int Ternary<TOp, TV>(ref float xs, ref float ys, ref float zs, ref float ds, int i, int n) where TOp : ITernaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        for (; i <= n - w; i += w)
            TV.Store(TOp.Invoke(TV.Load(ref xs, (nuint)i), TV.Load(ref ys, (nuint)i), TV.Load(ref zs, (nuint)i)), ref ds, (nuint)i);
        return i;
    }

    private static int Broadcast<TOp, TV>(float x, ref float ys, ref float ds, int i, int n) where TOp : IBinaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        TV xv = TV.Create(x);
        for (; i <= n - w; i += w) TV.Store(TOp.Invoke(xv, TV.Load(ref ys, (nuint)i)), ref ds, (nuint)i);
        return i;
    }

    private static int Broadcast<TOp, TV>(float x, ref float ys, ref float zs, ref float ds, int i, int n) where TOp : ITernaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        TV xv = TV.Create(x);
        for (; i <= n - w; i += w) TV.Store(TOp.Invoke(xv, TV.Load(ref ys, (nuint)i), TV.Load(ref zs, (nuint)i)), ref ds, (nuint)i);
        return i;
    }

    private static int AddBroadcast<TOp, TV>(float x, ref float ys, ref float zs, ref float ds, int i, int n) where TOp : ITernaryOperator where TV : struct, ILanes<TV>
    {
        int w = TV.Count;
        TV xv = TV.Create(x);
        for (; i <= n - w; i += w)
            TV.Store(TV.Load(ref ds, (nuint)i) + TOp.Invoke(xv, TV.Load(ref ys, (nuint)i), TV.Load(ref zs, (nuint)i)), ref ds, (nuint)i);
        return i;
    }
}
