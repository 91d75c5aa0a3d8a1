namespace Vae.Simd.Autodiff;

/// <summary>What <see cref="Tape{T}.Backward(Var, ParameterGradients)"/> does with the gradient buffers of parameters.</summary>
public enum ParameterGradients
{
    /// <summary>Adds this loss's gradient to what the buffers hold (gradients accumulate over calls until the caller clears them).</summary>
    Accumulate,

    /// <summary>
    /// Sets the buffers to this loss's gradient, zero where the loss does not depend on a parameter. Ops that are
    /// a parameter's only writer then write their result directly, with no clearing pass and no read of the old values.
    /// </summary>
    Overwrite,
}
