namespace Vae.Simd.Kernels;

/// <summary>Argument checks shared by the kernels; each throws an exception that names the kernel and the lengths.</summary>
internal static class Checks
{
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
