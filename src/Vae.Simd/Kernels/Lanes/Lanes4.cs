using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

/// <summary>Four floats in a <see cref="Vector128{T}"/>: the portable path (SSE on x64, AdvSimd on ARM64, WebAssembly SIMD).</summary>
internal readonly struct Lanes4(Vector128<float> value) : ILanes<Lanes4>
{
    private readonly Vector128<float> _value = value;

    public static int Count => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Create(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 CreateBits(uint bits) => new(Vector128.Create(bits).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Load(ref float source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes4 value, ref float destination, nuint index) => value._value.StoreUnsafe(ref destination, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator +(Lanes4 x, Lanes4 y) => new(x._value + y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator -(Lanes4 x, Lanes4 y) => new(x._value - y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator *(Lanes4 x, Lanes4 y) => new(x._value * y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator /(Lanes4 x, Lanes4 y) => new(x._value / y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator -(Lanes4 x) => new(-x._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator &(Lanes4 x, Lanes4 y) => new(x._value & y._value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator |(Lanes4 x, Lanes4 y) => new(x._value | y._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Sqrt(Lanes4 x) => new(Vector128.Sqrt(x._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 MultiplyAdd(Lanes4 x, Lanes4 y, Lanes4 z) =>
        new(FmaIntrinsics.FusedMultiplyAdd(x._value, y._value, z._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Equals(Lanes4 x, Lanes4 y) => new(Vector128.Equals(x._value, y._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 LessThan(Lanes4 x, Lanes4 y) => new(Vector128.LessThan(x._value, y._value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 GreaterThan(Lanes4 x, Lanes4 y) => new(Vector128.GreaterThan(x._value, y._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Select(Lanes4 mask, Lanes4 whenTrue, Lanes4 whenFalse) =>
        new(Vector128.ConditionalSelect(mask._value, whenTrue._value, whenFalse._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 ShiftLeft(Lanes4 bits, int count) => new(Vector128.ShiftLeft(bits._value.AsUInt32(), count).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 ShiftRightLogical(Lanes4 bits, int count) => new(Vector128.ShiftRightLogical(bits._value.AsUInt32(), count).AsSingle());

    /// <summary>The vector itself.</summary>
    public Vector128<float> Value => _value;
}
