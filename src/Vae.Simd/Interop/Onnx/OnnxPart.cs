namespace Vae.Simd.Interop.Onnx;

/// <summary>Which half of a VAE an ONNX graph computes.</summary>
public enum OnnxPart
{
    /// <summary>q(z|x): input <c>x</c> [batch × input]; outputs <c>mean</c> and <c>log_variance</c> [batch × latent].</summary>
    Encoder,

    /// <summary>
    /// p(x|z): input <c>z</c> [batch × latent]; outputs <c>logits</c> and <c>probabilities</c> (Bernoulli) or
    /// <c>mean</c> and <c>log_variance</c> (Gaussian), [batch × input] each.
    /// </summary>
    Decoder,
}
