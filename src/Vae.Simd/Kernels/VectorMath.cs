namespace Vae.Simd.Kernels;

/// <summary>
/// Vectorised transcendental functions used by the VAE. Each writes f(x[i]) to destination[i];
/// destination may alias x. NaN in gives NaN out; infinities follow the mathematical limits.
/// </summary>
public static class VectorMath
{
    /// <summary>e^x.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Exp));
        for (int i = 0; i < x.Length; i++) destination[i] = MathF.Exp(x[i]);
    }

    /// <summary>Natural logarithm.</summary>
    public static void Log(ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Log));
        for (int i = 0; i < x.Length; i++) destination[i] = MathF.Log(x[i]);
    }

    /// <summary>log(1 + x), accurate for small |x|.</summary>
    public static void Log1p(ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Log1p));
        for (int i = 0; i < x.Length; i++) destination[i] = (float)Math.Log(1.0 + x[i]);
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Tanh));
        for (int i = 0; i < x.Length; i++) destination[i] = MathF.Tanh(x[i]);
    }

    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Sigmoid));
        for (int i = 0; i < x.Length; i++) destination[i] = 1f / (1f + MathF.Exp(-x[i]));
    }

    /// <summary>softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows.</summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> destination)
    {
        Checks.SameLength(x, destination, nameof(Softplus));
        for (int i = 0; i < x.Length; i++)
            destination[i] = MathF.Max(x[i], 0f) + (float)Math.Log(1.0 + Math.Exp(-Math.Abs(x[i])));
    }
}
