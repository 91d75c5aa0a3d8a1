namespace Vae.Simd.Kernels;

/// <summary>
/// A row of float lanes: one float (<see cref="Lanes1"/>), a <see cref="System.Runtime.Intrinsics.Vector128{T}"/>
/// (<see cref="Lanes4"/>) or a <see cref="System.Runtime.Intrinsics.Vector256{T}"/> (<see cref="Lanes8"/>).
/// The kernels' math is written once against this interface; the JIT specialises it per width, so the
/// same formula runs on every path and, every operation here being exactly rounded, gives the same bits
/// on every path. Comparisons return lane masks (all bits set or clear) for <see cref="Select"/>; the
/// bit operations act on the IEEE-754 patterns.
/// </summary>
internal interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
{
    /// <summary>Floats per value.</summary>
    static abstract int Count { get; }

    static abstract TSelf Create(float value);
    static abstract TSelf CreateBits(uint bits);
    static abstract TSelf Load(ref float source, nuint index);
    static abstract void Store(TSelf value, ref float destination, nuint index);

    static abstract TSelf operator +(TSelf x, TSelf y);
    static abstract TSelf operator -(TSelf x, TSelf y);
    static abstract TSelf operator *(TSelf x, TSelf y);
    static abstract TSelf operator /(TSelf x, TSelf y);
    static abstract TSelf operator -(TSelf x);
    static abstract TSelf operator &(TSelf x, TSelf y);
    static abstract TSelf operator |(TSelf x, TSelf y);

    static abstract TSelf Sqrt(TSelf x);

    /// <summary>x·y + z rounded once on every machine: hardware FMA, or exactly in software where there is none.</summary>
    static abstract TSelf MultiplyAdd(TSelf x, TSelf y, TSelf z);

    static abstract TSelf Equals(TSelf x, TSelf y);
    static abstract TSelf LessThan(TSelf x, TSelf y);
    static abstract TSelf GreaterThan(TSelf x, TSelf y);

    /// <summary>mask ? whenTrue : whenFalse, bit by bit.</summary>
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);

    /// <summary>Shifts each lane's 32-bit pattern left.</summary>
    static abstract TSelf ShiftLeft(TSelf bits, int count);

    /// <summary>Shifts each lane's 32-bit pattern right, filling with zeros.</summary>
    static abstract TSelf ShiftRightLogical(TSelf bits, int count);
}
