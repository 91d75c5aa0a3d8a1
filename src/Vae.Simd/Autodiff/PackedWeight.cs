using Vae.Simd.Kernels;

namespace Vae.Simd.Autodiff;

/// <summary>
/// A <see cref="TapeOps.Linear{T}"/> weight W [out × in] packed in advance for the two products that read it as
/// the GEMM's B operand: the forward's x·Wᵀ (<see cref="Forward"/>, op(B) = Wᵀ) and the backward's g·W
/// (<see cref="Backward"/>, op(B) = W). Shared, read-only, by every shard of a minibatch (<see cref="Tape{T}.UsePackedWeight"/>).
/// </summary>
internal sealed class PackedWeight(PackedOperand? forward, PackedOperand? backward)
{
    /// <summary>op(B) = Wᵀ, in × out; null when that product packs W itself.</summary>
    public PackedOperand? Forward { get; } = forward;

    /// <summary>op(B) = W, out × in; null when that product packs W itself.</summary>
    public PackedOperand? Backward { get; } = backward;
}
