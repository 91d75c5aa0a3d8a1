using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>
/// Fused multiply-add by instruction set — x64 FMA3, ARM64 AdvSimd. <c>MultiplyAdd</c> rounds twice where
/// neither exists (the GEMM micro-kernels: fusing there in software would cost ten times the product);
/// <c>FusedMultiplyAdd</c> always rounds once, in software where it must (the element-wise kernels, where
/// it is cheap and keeps their bits the same on every machine). Written with the ISA intrinsics rather than <c>Vector128.FusedMultiplyAdd</c>: where the
/// hardware lacks FMA, that API's software fallback is inlined into the caller even when the branch is
/// dead, and the JIT then kept every accumulator of the GEMM micro-kernel on the stack (5× slower).
/// </summary>
internal static class FmaIntrinsics
{
    /// <summary>The hardware fuses (every width uses it then, so results do not depend on the width).</summary>
    public static bool IsSupported => Fma.IsSupported || AdvSimd.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float x, float y, float z) => IsSupported ? MathF.FusedMultiplyAdd(x, y, z) : x * y + z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> z) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, z) : AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(z, x, y) : x * y + z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> z) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, z) : x * y + z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> z) =>
        IsSupported ? MultiplyAdd(x, y, z) : FusedInSoftware(x, y, z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> z) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, z)
            : Vector256.Create(FusedInSoftware(x.GetLower(), y.GetLower(), z.GetLower()), FusedInSoftware(x.GetUpper(), y.GetUpper(), z.GetUpper()));

    // Kept out of line so the callers' loops stay small enough for the register allocator.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> FusedInSoftware(Vector128<float> x, Vector128<float> y, Vector128<float> z) => Vector128.Create(
        MathF.FusedMultiplyAdd(x.GetElement(0), y.GetElement(0), z.GetElement(0)),
        MathF.FusedMultiplyAdd(x.GetElement(1), y.GetElement(1), z.GetElement(1)),
        MathF.FusedMultiplyAdd(x.GetElement(2), y.GetElement(2), z.GetElement(2)),
        MathF.FusedMultiplyAdd(x.GetElement(3), y.GetElement(3), z.GetElement(3)));
}
