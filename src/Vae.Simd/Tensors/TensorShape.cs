namespace Vae.Simd.Tensors;

/// <summary>
/// The shape of a row-major tensor of rank 1 to 4. A value type, so shapes are compared and copied
/// without allocation.
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    /// <summary>The largest rank a tensor may have.</summary>
    public const int MaxRank = 4;

    private readonly int _d0, _d1, _d2, _d3;

    /// <summary>Creates a shape from its dimensions (1 to 4 of them, each at least 1).</summary>
    /// <exception cref="ArgumentException">The rank is outside 1..4 or a dimension is not positive.</exception>
    public TensorShape(params ReadOnlySpan<int> dimensions)
    {
        if (dimensions.Length is < 1 or > MaxRank)
            throw new ArgumentException($"A tensor has rank 1 to {MaxRank}; got rank {dimensions.Length}.", nameof(dimensions));
        long length = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 1)
                throw new ArgumentException($"Tensor dimension {i} must be positive; got {dimensions[i]}.", nameof(dimensions));
            length *= dimensions[i];
            if (length > Array.MaxLength)
                throw new ArgumentException($"A tensor of shape [{string.Join('x', dimensions.ToArray())}] is too large.", nameof(dimensions));
        }
        Rank = dimensions.Length;
        _d0 = dimensions[0];
        _d1 = Rank > 1 ? dimensions[1] : 1;
        _d2 = Rank > 2 ? dimensions[2] : 1;
        _d3 = Rank > 3 ? dimensions[3] : 1;
        Length = (int)length;
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank { get; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The size of dimension <paramref name="axis"/>.</summary>
    public int this[int axis] => (uint)axis < (uint)Rank
        ? axis switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 }
        : throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is outside a rank-{Rank} shape.");

    /// <summary>
    /// Rows when the tensor is seen as a matrix: every dimension but the last multiplied together
    /// (1 for a vector).
    /// </summary>
    public int Rows => Rank == 1 ? 1 : Length / this[Rank - 1];

    /// <summary>Columns when the tensor is seen as a matrix: the last dimension.</summary>
    public int Columns => this[Rank - 1];

    /// <summary>A matrix shape.</summary>
    public static TensorShape Matrix(int rows, int columns) => new(rows, columns);

    /// <summary>A vector shape.</summary>
    public static TensorShape Vector(int length) => new(length);

    /// <inheritdoc/>
    public bool Equals(TensorShape other) =>
        Rank == other.Rank && _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);

    /// <summary>Equality of shapes.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Inequality of shapes.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <summary>The shape as <c>[d0x d1 ...]</c>, e.g. <c>[128x784]</c>.</summary>
    public override string ToString() => Rank switch
    {
        1 => $"[{_d0}]",
        2 => $"[{_d0}x{_d1}]",
        3 => $"[{_d0}x{_d1}x{_d2}]",
        _ => $"[{_d0}x{_d1}x{_d2}x{_d3}]",
    };
}
