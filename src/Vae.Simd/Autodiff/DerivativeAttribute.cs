namespace Vae.Simd.Autodiff;

/// <summary>
/// An op's derivative rule, declared on the class that holds its forward and backward, so the rule sits beside the
/// code it describes. <c>Ops/README.md</c>'s table is generated from these (and a test fails when it differs).
/// </summary>
/// <param name="signature">How the op is called, e.g. <c>Exp(x)</c>.</param>
/// <param name="forward">What the forward computes.</param>
/// <param name="backward">What the backward adds into the inputs' gradients, from dy (the output's gradient).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class DerivativeAttribute(string signature, string forward, string backward) : Attribute
{
    public string Signature { get; } = signature;
    public string Forward { get; } = forward;
    public string Backward { get; } = backward;

    /// <summary>The op's row in the README's table.</summary>
    public string TableRow => $"| `{Signature}` | {Forward} | {Backward} |";
}
