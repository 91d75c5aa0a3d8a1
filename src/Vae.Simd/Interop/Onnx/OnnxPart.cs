namespace Vae.Simd.Interop.Onnx;

/// <summary>Which half of a VAE an ONNX graph computes.</summary>
public enum OnnxPart
{
    /// <summary>q(z|x): input <c>x</c> [batch × input]; outputs <c>mean</c> and <c>log_variance</c> [batch × latent].</summary>
    Encoder,

    /// <summary>
    /// p(x|z): input <c>z</c> [batch × latent]; outputs [batch × input] each, per likelihood:
    /// <list type="bullet">
    /// <item>Bernoulli: <c>logits</c> and <c>probabilities</c> = σ(logits), the pixel means (what
    /// <see cref="Model.VariationalAutoencoder.Decode"/> returns).</item>
    /// <item>Continuous Bernoulli: <c>logits</c>, <c>probabilities</c> = σ(logits) — the distribution's parameter λ,
    /// NOT its mean — and <c>mean</c> = E[x] = λ/(2λ − 1) + 1/(2 artanh(1 − 2λ)) = 1/(1 − e^−l) − 1/l (what
    /// <see cref="Model.VariationalAutoencoder.Decode"/> returns). The log-normaliser is not needed for either.</item>
    /// <item>Gaussian: <c>mean</c> and <c>log_variance</c> (log σ² after the floor <see cref="Model.VaeConfig.MinVariance"/>
    /// of a learned variance); for a shared or fixed variance the one value is broadcast to every pixel and row.</item>
    /// </list>
    /// </summary>
    Decoder,
}
