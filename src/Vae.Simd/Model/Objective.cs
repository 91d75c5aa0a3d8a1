namespace Vae.Simd.Model;

/// <summary>The bound on log p(x) that training maximises.</summary>
public enum Objective
{
    /// <summary>The evidence lower bound (Kingma &amp; Welling), with <see cref="ElboOptions.Estimator"/> and <see cref="ElboOptions.Samples"/>.</summary>
    Elbo,
    /// <summary>
    /// The importance-weighted bound (Burda, Grosse &amp; Salakhutdinov 2016), log (1/k) Σ_i p(x, z_i) / q(z_i|x) with
    /// k = <see cref="ElboOptions.K"/> draws z_i = μ + σ ⊙ ε_i: tighter than the ELBO as k grows; k = 1 is the ELBO with the Monte Carlo KL.
    /// </summary>
    Iwae,
}
