namespace Vae.Simd.Tensors;

/// <summary>
/// A row-major tensor of <see cref="float"/> over contiguous storage. The storage is either owned
/// (allocated once by the constructor) or a view over memory owned elsewhere, such as one parameter's
/// slice of a model's flat parameter buffer. Kernels work on <see cref="Span"/>; a tensor never
/// reallocates behind its owner's back, so buffers can be reused across training steps.
/// </summary>
public sealed class Tensor
{
    private readonly Memory<float> _storage;

    /// <summary>Allocates a zero-filled tensor of the given dimensions.</summary>
    public Tensor(params ReadOnlySpan<int> dimensions) : this(new TensorShape(dimensions)) { }

    /// <summary>Allocates a zero-filled tensor of the given shape.</summary>
    public Tensor(TensorShape shape)
    {
        Shape = shape;
        _storage = new float[shape.Length];
    }

    /// <summary>A tensor viewing <paramref name="storage"/>, which must hold exactly the shape's elements.</summary>
    /// <exception cref="ArgumentException">The storage length does not match the shape.</exception>
    public Tensor(Memory<float> storage, TensorShape shape)
    {
        if (storage.Length != shape.Length)
            throw new ArgumentException($"Storage of {storage.Length} elements cannot hold a tensor of shape {shape} ({shape.Length} elements).", nameof(storage));
        Shape = shape;
        _storage = storage;
    }

    /// <summary>The shape.</summary>
    public TensorShape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.Length;

    /// <summary>Rows when seen as a matrix (see <see cref="TensorShape.Rows"/>).</summary>
    public int Rows => Shape.Rows;

    /// <summary>Columns when seen as a matrix: the last dimension.</summary>
    public int Columns => Shape.Columns;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => _storage.Span;

    /// <summary>The elements as memory, for views and asynchronous use.</summary>
    public Memory<float> Memory => _storage;

    /// <summary>Row <paramref name="row"/> of the tensor seen as a matrix.</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows)
            throw new ArgumentOutOfRangeException(nameof(row), $"Row {row} is outside a tensor of shape {Shape}.");
        return _storage.Span.Slice(row * Columns, Columns);
    }

    /// <summary>The element at a matrix position.</summary>
    public float this[int row, int column]
    {
        get => Span[Index(row, column)];
        set => Span[Index(row, column)] = value;
    }

    /// <summary>A view of the same storage with another shape of the same length.</summary>
    /// <exception cref="ArgumentException">The new shape has a different number of elements.</exception>
    public Tensor Reshape(TensorShape shape)
    {
        if (shape.Length != Length)
            throw new ArgumentException($"Cannot reshape a tensor of shape {Shape} to {shape}: the element counts differ.", nameof(shape));
        return new Tensor(_storage, shape);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Copies <paramref name="source"/>, which must have exactly <see cref="Length"/> elements.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Length)
            throw new ArgumentException($"Cannot copy {source.Length} elements into a tensor of shape {Shape}.", nameof(source));
        source.CopyTo(Span);
    }

    /// <summary>The elements as a new array (for tests and tools; not for hot paths).</summary>
    public float[] ToArray() => _storage.ToArray();

    /// <summary>Throws an <see cref="ArgumentException"/> naming both shapes unless they are equal.</summary>
    public static void RequireSameShape(Tensor left, Tensor right, string operation)
    {
        if (left.Shape != right.Shape)
            throw new ArgumentException($"{operation}: shapes {left.Shape} and {right.Shape} differ.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{Shape}";

    private int Index(int row, int column)
    {
        if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
            throw new ArgumentOutOfRangeException(nameof(row), $"Position ({row}, {column}) is outside a tensor of shape {Shape}.");
        return row * Columns + column;
    }
}
