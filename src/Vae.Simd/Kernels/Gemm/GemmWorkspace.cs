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
    private readonly float[] _tile = GC.AllocateUninitializedArray<float>(TileWriter.WorkspaceFloats + 16, pinned: true);

    private readonly int[] _stepsA = GC.AllocateUninitializedArray<int>(GemmBlocking.MC / GemmBlocking.MR * GemmBlocking.KC + GemmBlocking.MC / GemmBlocking.MR, pinned: true);
    private readonly int[] _stepsB = GC.AllocateUninitializedArray<int>(GemmBlocking.NC / GemmBlocking.NR * GemmBlocking.KC + GemmBlocking.NC / GemmBlocking.NR, pinned: true);

    public static GemmWorkspace Current => s_current ??= new GemmWorkspace();

    /// <summary>Room for an MC × KC block of A in micro-panel layout.</summary>
    public float* PackedA => Align(_a);

    /// <summary>Room for a KC × NC block of B in micro-panel layout.</summary>
    public float* PackedB => Align(_b);

    /// <summary>The micro-kernel's output tile (MR × NR, room for 8 rows) and room for its transpose (<see cref="TileWriter"/>).</summary>
    public float* Tile => Align(_tile);

    /// <summary>Non-zero k-steps of each packed A panel (KC each), then one count per panel (<see cref="ZeroSteps"/>).</summary>
    public int* StepsA
    {
        get { fixed (int* p = _stepsA) return p; }
    }

    /// <summary>Non-zero k-steps of each packed B panel (KC each), then one count per panel.</summary>
    public int* StepsB
    {
        get { fixed (int* p = _stepsB) return p; }
    }

    // Pinned arrays never move, so the aligned address stays valid for the workspace's lifetime.
    private static float* Align(float[] array)
    {
        fixed (float* p = array)
            return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
