using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>An element-wise function of one value, given once for scalars and once for 8-lane vectors.</summary>
internal interface IUnaryOperator
{
    static abstract float Invoke(float x);
    static abstract Vector256<float> Invoke(Vector256<float> x);
}

/// <summary>An element-wise function of two values.</summary>
internal interface IBinaryOperator
{
    static abstract float Invoke(float x, float y);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
}

/// <summary>An element-wise function of three values.</summary>
internal interface ITernaryOperator
{
    static abstract float Invoke(float x, float y, float z);
    static abstract Vector256<float> Invoke(Vector256<float> x, Vector256<float> y, Vector256<float> z);
}

/// <summary>
/// The one loop behind every element-wise kernel (the TensorPrimitives pattern): the math lives in small
/// operator structs, and the JIT specialises these generic methods per struct, so there is no call per
/// element. Vector256 body unrolled by two, then a scalar tail (not an overlapping last vector: the
/// destination may alias a source, and recomputing an element in place would apply f twice).
/// To add an operation, write a struct implementing one of the operator interfaces and call Unary,
/// Binary or Ternary with it.
/// </summary>
internal static class ElementWiseDriver
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<TOp>(ReadOnlySpan<float> x, Span<float> destination) where TOp : IUnaryOperator
    {
        if (x.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, x.Length, destination.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector256<float> a = Vector256.LoadUnsafe(ref xs, (nuint)i);
                Vector256<float> b = Vector256.LoadUnsafe(ref xs, (nuint)(i + 8));
                TOp.Invoke(a).StoreUnsafe(ref ds, (nuint)i);
                TOp.Invoke(b).StoreUnsafe(ref ds, (nuint)(i + 8));
            }
            for (; i <= n - 8; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ds, i) = TOp.Invoke(Unsafe.Add(ref xs, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) where TOp : IBinaryOperator
    {
        if (x.Length != y.Length || x.Length != destination.Length) Checks.ThrowLengths(typeof(TOp).Name, x.Length, y.Length, destination.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                Vector256<float> a0 = Vector256.LoadUnsafe(ref xs, (nuint)i), a1 = Vector256.LoadUnsafe(ref xs, (nuint)(i + 8));
                Vector256<float> b0 = Vector256.LoadUnsafe(ref ys, (nuint)i), b1 = Vector256.LoadUnsafe(ref ys, (nuint)(i + 8));
                TOp.Invoke(a0, b0).StoreUnsafe(ref ds, (nuint)i);
                TOp.Invoke(a1, b1).StoreUnsafe(ref ds, (nuint)(i + 8));
            }
            for (; i <= n - 8; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ds, i) = TOp.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Ternary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination) where TOp : ITernaryOperator
    {
        if (x.Length != y.Length || x.Length != z.Length || x.Length != destination.Length)
            throw new ArgumentException($"{typeof(TOp).Name}: operands have {x.Length}, {y.Length} and {z.Length} elements and destination has {destination.Length}; all must be equal.");
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        int n = x.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                TOp.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i), Vector256.LoadUnsafe(ref ys, (nuint)i), Vector256.LoadUnsafe(ref zs, (nuint)i))
                    .StoreUnsafe(ref ds, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ds, i) = TOp.Invoke(Unsafe.Add(ref xs, i), Unsafe.Add(ref ys, i), Unsafe.Add(ref zs, i));
    }
}
