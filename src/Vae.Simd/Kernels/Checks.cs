namespace Vae.Simd.Kernels;

/// <summary>Argument checks shared by the kernels; each throws an exception that names the kernel and the lengths.</summary>
internal static class Checks
{
    public static void SameLength(ReadOnlySpan<float> x, ReadOnlySpan<float> destination, string kernel)
    {
        if (x.Length != destination.Length)
            throw new ArgumentException($"{kernel}: source has {x.Length} elements but destination has {destination.Length}.");
    }

    public static void SameLength(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> destination, string kernel)
    {
        if (x.Length != y.Length || x.Length != destination.Length)
            throw new ArgumentException($"{kernel}: operands have {x.Length} and {y.Length} elements and destination has {destination.Length}; all must be equal.");
    }

    /// <summary>Thrown only on a mismatch, so the kernel's name is formatted only then.</summary>
    public static void ThrowLengths(string kernel, int source, int destination) =>
        throw new ArgumentException($"{kernel}: source has {source} elements but destination has {destination}.");

    public static void ThrowLengths(string kernel, int x, int y, int destination) =>
        throw new ArgumentException($"{kernel}: operands have {x} and {y} elements and destination has {destination}; all must be equal.");

    public static void Matrix(int length, int rows, int columns, string kernel)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != length)
            throw new ArgumentException($"{kernel}: a {rows}x{columns} matrix needs {(long)rows * columns} elements but the span has {length}.");
    }
}
