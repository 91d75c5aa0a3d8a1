namespace Vae.Simd.Autodiff;

/// <summary>
/// The differentiable operations, as extension methods on <see cref="Tape{T}"/>. Each is defined in
/// <c>Autodiff/Ops/</c> next to its backward; <c>Ops/README.md</c> lists every derivative rule.
/// </summary>
public static partial class TapeOps;
