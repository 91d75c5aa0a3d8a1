using System.Runtime.Intrinsics;

namespace Vae.Simd.Kernels;

// Derivatives of activations expressed through their saved outputs y, applied to an incoming gradient g.

/// <summary>g · [y &gt; 0].</summary>
internal readonly struct ReluGradientOperator : IBinaryOperator
{
    public static float Invoke(float g, float y) => y > 0f ? g : 0f;
    public static Vector256<float> Invoke(Vector256<float> g, Vector256<float> y) => g & Vector256.GreaterThan(y, Vector256<float>.Zero);
}

/// <summary>g · (1 − y²).</summary>
internal readonly struct TanhGradientOperator : IBinaryOperator
{
    public static float Invoke(float g, float y) => g * (1f - y * y);
    public static Vector256<float> Invoke(Vector256<float> g, Vector256<float> y) => g * (Vector256<float>.One - y * y);
}

/// <summary>g · y · (1 − y).</summary>
internal readonly struct SigmoidGradientOperator : IBinaryOperator
{
    public static float Invoke(float g, float y) => g * y * (1f - y);
    public static Vector256<float> Invoke(Vector256<float> g, Vector256<float> y) => g * y * (Vector256<float>.One - y);
}
