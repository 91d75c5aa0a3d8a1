namespace Vae.Simd.Autodiff;

/// <summary>
/// The closed set of differentiable operations. Each has one file in <c>Ops/</c> holding its forward
/// and its backward side by side; <see cref="Tape{T}.Backward(Var)"/> dispatches on this enum in one switch,
/// and <c>Ops/README.md</c> lists every derivative rule in one table.
/// </summary>
internal enum OpKind : byte
{
    Linear,
    MatMul,
    Add,
    Subtract,
    Multiply,
    Scale,
    Exp,
    Log,
    Tanh,
    Relu,
    Sigmoid,
    Softplus,
    Square,
    Sum,
    Mean,
    RowSum,
    RowLogSumExp,
    BernoulliLogLikelihood,
    GaussianLogLikelihood,
    StandardNormalLogDensity,
    KlStandardNormal,
    Reparameterize,
    LogAddExp,
    ContinuousBernoulliLogLikelihood,
    RepeatRows,
}

/// <summary>The activation fused into a <see cref="OpKind.Linear"/> op.</summary>
public enum Activation : byte
{
    /// <summary>No activation: y = x·Wᵀ + b.</summary>
    None,
    /// <summary>y = max(0, x·Wᵀ + b).</summary>
    Relu,
    /// <summary>y = tanh(x·Wᵀ + b).</summary>
    Tanh,
}

/// <summary>
/// One recorded operation: what it was, where its inputs and output live, and its scalar attributes.
/// A flat struct, so recording is an array store.
/// </summary>
internal struct OpRecord
{
    public OpKind Kind;
    public int Output;
    public int A, B, C;
    public int Attribute;
    public double Scalar;
}
