using System.Runtime.CompilerServices;

namespace Vae.Simd.Kernels;

/// <summary>One float seen as a row of one lane: the scalar path and the tail of every vector loop.</summary>
internal readonly struct Lanes1(float value) : ILanes<Lanes1>
{
    private readonly float _value = value;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Create(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 CreateBits(uint bits) => new(BitConverter.UInt32BitsToSingle(bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Load(ref float source, nuint index) => new(Unsafe.Add(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes1 value, ref float destination, nuint index) => Unsafe.Add(ref destination, index) = value._value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator +(Lanes1 x, Lanes1 y) => new(x._value + y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator -(Lanes1 x, Lanes1 y) => new(x._value - y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator *(Lanes1 x, Lanes1 y) => new(x._value * y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator /(Lanes1 x, Lanes1 y) => new(x._value / y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator -(Lanes1 x) => new(-x._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator &(Lanes1 x, Lanes1 y) => FromBits(Bits(x) & Bits(y));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 operator |(Lanes1 x, Lanes1 y) => FromBits(Bits(x) | Bits(y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Sqrt(Lanes1 x) => new(MathF.Sqrt(x._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 MultiplyAdd(Lanes1 x, Lanes1 y, Lanes1 z) =>
        new(MathF.FusedMultiplyAdd(x._value, y._value, z._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Equals(Lanes1 x, Lanes1 y) => Mask(x._value == y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 LessThan(Lanes1 x, Lanes1 y) => Mask(x._value < y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 GreaterThan(Lanes1 x, Lanes1 y) => Mask(x._value > y._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 Select(Lanes1 mask, Lanes1 whenTrue, Lanes1 whenFalse) =>
        FromBits((Bits(whenTrue) & Bits(mask)) | (Bits(whenFalse) & ~Bits(mask)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 ShiftLeft(Lanes1 bits, int count) => FromBits(Bits(bits) << count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes1 ShiftRightLogical(Lanes1 bits, int count) => FromBits(Bits(bits) >> count);

    /// <summary>The float itself.</summary>
    public float Value => _value;

    private static uint Bits(Lanes1 x) => BitConverter.SingleToUInt32Bits(x._value);
    private static Lanes1 FromBits(uint bits) => new(BitConverter.UInt32BitsToSingle(bits));
    private static Lanes1 Mask(bool condition) => FromBits(condition ? uint.MaxValue : 0u);
}
