namespace Vae.Simd.Kernels;

/// <summary>
/// Vectorised transcendental functions used by the VAE. Each writes f(x[i]) to destination[i];
/// destination may alias x. NaN in gives NaN out; infinities follow the mathematical limits
/// (exp(−∞) = 0, log(0) = −∞, log of a negative = NaN, tanh(±∞) = ±1, sigmoid(±∞) = 1 or 0,
/// softplus(+∞) = +∞, softplus(−∞) = 0). The measured accuracy is stated by the tests in
/// <c>tests/Vae.Simd.Tests/Kernels/VectorMathTests.cs</c>.
/// </summary>
public static class VectorMath
{
    /// <summary>e^x.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<ExpOperator>(x, destination);

    /// <summary>Natural logarithm.</summary>
    public static void Log(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<LogOperator>(x, destination);

    /// <summary>log(1 + x), accurate for small |x|.</summary>
    public static void Log1p(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<Log1pOperator>(x, destination);

    /// <summary>Hyperbolic tangent.</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<TanhOperator>(x, destination);

    /// <summary>Logistic sigmoid 1 / (1 + e^-x).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<SigmoidOperator>(x, destination);

    /// <summary>softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows.</summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<SoftplusOperator>(x, destination);

    /// <summary>max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> destination) => ElementWiseDriver.Unary<ReluOperator>(x, destination);
}
