using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Vae.Simd.Kernels;

/// <summary>The vector width a kernel call runs at.</summary>
internal enum LaneWidth
{
    /// <summary>One float at a time (no SIMD hardware, or intrinsics switched off).</summary>
    Scalar = 1,
    /// <summary>Vector128: SSE on x64, AdvSimd on ARM64.</summary>
    Vector128 = 4,
    /// <summary>Vector256: AVX2 on x64.</summary>
    Vector256 = 8,
}

/// <summary>The GEMM micro-kernel a call uses.</summary>
internal enum MicroKernel
{
    /// <summary><see cref="MicroKernelScalar"/>.</summary>
    Scalar,
    /// <summary><see cref="MicroKernelVector128"/>.</summary>
    Vector128,
    /// <summary><see cref="MicroKernelAvx"/> without FMA (AVX but no AVX2/FMA).</summary>
    Avx,
    /// <summary><see cref="MicroKernelAvx"/> with FMA (every AVX2 CPU).</summary>
    AvxFma,
}

/// <summary>
/// Which path the kernels take on this machine, decided in one place. Every driver reads
/// <see cref="Width"/> once per call and runs the whole call at that width (its tail at
/// <see cref="LaneWidth.Scalar"/>, the same formula lane by lane, so the tail gives the same bits).
/// Tests narrow the width with <see cref="Limit"/> to compare the paths on one machine.
/// </summary>
internal static class KernelPath
{
    private static volatile int s_limit = (int)LaneWidth.Vector256;

    /// <summary>
    /// The widest path the kernels may use (tests and benchmarks lower it to force a narrower path;
    /// FMA use does not change with it, so on one machine every width gives the same bits).
    /// </summary>
    public static LaneWidth Limit
    {
        get => (LaneWidth)s_limit;
        set => s_limit = (int)value;
    }

    /// <summary>The width kernel calls run at now.</summary>
    public static LaneWidth Width
    {
        get
        {
            int limit = s_limit;
            if (limit >= 8 && Vector256.IsHardwareAccelerated) return LaneWidth.Vector256;
            if (limit >= 4 && Vector128.IsHardwareAccelerated) return LaneWidth.Vector128;
            return LaneWidth.Scalar;
        }
    }

    /// <summary>
    /// The hardware has a fused multiply-add that every width can use (x64 FMA3, ARM64 AdvSimd). .NET
    /// reports no FMA on x64 when AVX2 is switched off; the GEMM micro-kernels then
    /// round twice, which is the one place results differ between machines (see the README).
    /// </summary>
    public static bool HasFma => FmaIntrinsics.IsSupported;

    /// <summary>
    /// The GEMM micro-kernel in use: the 256-bit AVX one (fused where FMA exists) unless the limit is
    /// below Vector256; otherwise the Vector128 one, or the scalar one without SIMD.
    /// </summary>
    public static MicroKernel GemmKernel =>
        s_limit >= (int)LaneWidth.Vector256 && Avx.IsSupported ? (Fma.IsSupported ? MicroKernel.AvxFma : MicroKernel.Avx)
        : Width >= LaneWidth.Vector128 ? MicroKernel.Vector128 : MicroKernel.Scalar;

    /// <summary>A short name of the path, for benchmarks and <c>vae selftest</c>.</summary>
    public static string Describe()
    {
        string width = Width switch
        {
            LaneWidth.Vector256 => Fma.IsSupported ? "AVX2/FMA (Vector256)" : "Vector256, no FMA",
            LaneWidth.Vector128 => AdvSimd.IsSupported ? "AdvSimd (Vector128 + FMA)" : HasFma ? "Vector128 + FMA" : "Vector128 (SSE, no FMA)",
            _ => HasFma ? "scalar + FMA" : "scalar",
        };
        string gemm = GemmKernel switch
        {
            MicroKernel.AvxFma => "AVX/FMA",
            MicroKernel.Avx => "AVX without FMA",
            MicroKernel.Vector128 => AdvSimd.IsSupported ? "AdvSimd" : "Vector128",
            _ => "scalar",
        };
        return $"{width}, GEMM micro-kernel {gemm}";
    }
}
