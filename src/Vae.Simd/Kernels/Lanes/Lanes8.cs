using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>Eight floats in a <see cref="Vector256{T}"/>: the AVX2 path on x64.</summary>
internal readonly struct Lanes8(Vector256<float> value) : ILanes<Lanes8>
{
    private readonly Vector256<float> _value = value;

    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Create(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 CreateBits(uint bits) => new(Vector256.Create(bits).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Load(ref float source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes8 value, ref float destination, nuint index) => value._value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator +(Lanes8 x, Lanes8 y) => new(x._value + y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 x, Lanes8 y) => new(x._value - y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator *(Lanes8 x, Lanes8 y) => new(x._value * y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator /(Lanes8 x, Lanes8 y) => new(x._value / y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 x) => new(-x._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator &(Lanes8 x, Lanes8 y) => new(x._value & y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator |(Lanes8 x, Lanes8 y) => new(x._value | y._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Sqrt(Lanes8 x) => new(Vector256.Sqrt(x._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 MultiplyAdd(Lanes8 x, Lanes8 y, Lanes8 z) =>
        new(FmaIntrinsics.FusedMultiplyAdd(x._value, y._value, z._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Equals(Lanes8 x, Lanes8 y) => new(Vector256.Equals(x._value, y._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 LessThan(Lanes8 x, Lanes8 y) => new(Vector256.LessThan(x._value, y._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 GreaterThan(Lanes8 x, Lanes8 y) => new(Vector256.GreaterThan(x._value, y._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Select(Lanes8 mask, Lanes8 whenTrue, Lanes8 whenFalse) =>
        new(Vector256.ConditionalSelect(mask._value, whenTrue._value, whenFalse._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 ShiftLeft(Lanes8 bits, int count) => new(Vector256.ShiftLeft(bits._value.AsUInt32(), count).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 ShiftRightLogical(Lanes8 bits, int count) => new(Vector256.ShiftRightLogical(bits._value.AsUInt32(), count).AsSingle());

    /// <summary>The vector itself.</summary>
    public Vector256<float> Value => _value;
}
