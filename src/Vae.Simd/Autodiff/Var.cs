namespace Vae.Simd.Autodiff;

/// <summary>
/// A handle to a value recorded on a <see cref="Tape{T}"/>: the index of its slot. A value type, so
/// building a graph allocates nothing; valid until the tape's next <see cref="Tape{T}.Reset"/>.
/// </summary>
public readonly struct Var : IEquatable<Var>
{
    internal Var(int slot) => Slot = slot;

    internal int Slot { get; }

    /// <inheritdoc/>
    public bool Equals(Var other) => Slot == other.Slot;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Var other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Slot;

    /// <inheritdoc/>
    public override string ToString() => $"Var#{Slot}";
}
