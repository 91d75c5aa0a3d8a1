namespace Vae.Simd.Kernels;

/// <summary>
/// Per-thread packing buffers, allocated once per thread on the pinned object heap and 64-byte aligned
/// so the micro-kernel can use aligned loads; every later GEMM on that thread allocates nothing.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    [ThreadStatic] private static GemmWorkspace? s_current;

    private readonly float[] _a = GC.AllocateUninitializedArray<float>(GemmBlocking.MC * GemmBlocking.KC + 16, pinned: true);
    private readonly float[] _b = GC.AllocateUninitializedArray<float>(GemmBlocking.KC * GemmBlocking.NC + 16, pinned: true);
    private readonly float[] _tile = GC.AllocateUninitializedArray<float>(GemmBlocking.MR * GemmBlocking.NR + 16, pinned: true);

    public static GemmWorkspace Current => s_current ??= new GemmWorkspace();

    /// <summary>Room for an MC × KC block of A in micro-panel layout.</summary>
    public float* PackedA => Align(_a);

    /// <summary>Room for a KC × NC block of B in micro-panel layout.</summary>
    public float* PackedB => Align(_b);

    /// <summary>The micro-kernel's output tile (MR × NR).</summary>
    public float* Tile => Align(_tile);

    // Pinned arrays never move, so the aligned address stays valid for the workspace's lifetime.
    private static float* Align(float[] array)
    {
        fixed (float* p = array)
            return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
