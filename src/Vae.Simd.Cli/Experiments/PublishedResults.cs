namespace Vae.Simd.Cli.Experiments;

/// <summary>The published numbers the <c>vae reproduce</c> commands compare against.</summary>
internal static class PublishedResults
{
    /// <summary>Where the IWAE numbers come from.</summary>
    public const string IwaeSource = "Burda, Grosse & Salakhutdinov 2016, Table 1 (MNIST, 784-200-200-50 tanh, one stochastic layer, 3,280 epochs, log p(x) by the 5,000-sample bound)";

    /// <summary>Test log p(x) in nats of the IWAE paper's Table 1 (one stochastic layer), by k; VAE for k = 1, IWAE otherwise.</summary>
    public static double? IwaeTestLogLikelihood(int k) => k switch
    {
        1 => -86.76,
        5 => -85.54,
        50 => -84.78,
        _ => null,
    };

    /// <summary>What Kingma &amp; Welling's Figures 2 and 3 show, in words (they publish curves, not numbers).</summary>
    public const string KingmaWellingFigures = "Kingma & Welling 2014, Figures 2 and 3: AEVB's bound / marginal likelihood lies above wake-sleep's throughout, the gap widening with Nz";
}
