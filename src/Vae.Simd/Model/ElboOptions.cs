namespace Vae.Simd.Model;

/// <summary>How the ELBO's KL term is estimated.</summary>
public enum Estimator
{
    /// <summary>The paper's estimator B: KL(q(z|x) ‖ p(z)) in closed form, only log p(x|z) sampled.</summary>
    Analytic,
    /// <summary>The paper's estimator A: log p(x|z) + log p(z) − log q(z|x), all at the sampled z.</summary>
    MonteCarlo,
}

/// <summary>
/// The training objective: the ELBO estimated with <see cref="Samples"/> draws of z per example, with the
/// KL term weighted by <see cref="Beta"/> (β-VAE) and ramped up linearly over <see cref="WarmupSteps"/> steps;
/// or (<see cref="Objective"/> = <see cref="Model.Objective.Iwae"/>) the importance-weighted bound with <see cref="K"/> samples.
/// </summary>
public sealed record ElboOptions
{
    /// <summary>Which bound is maximised: the ELBO or the importance-weighted bound.</summary>
    public Objective Objective { get; init; } = Objective.Elbo;

    /// <summary>k, the importance samples per data point of the <see cref="Model.Objective.Iwae"/> bound (1 for the ELBO).</summary>
    public int K { get; init; } = 1;

    /// <summary>The KL estimator.</summary>
    public Estimator Estimator { get; init; } = Estimator.Analytic;

    /// <summary>L, the samples of z per data point (the paper uses 1 for M = 100).</summary>
    public int Samples { get; init; } = 1;

    /// <summary>Weight of the KL term (1 is the ELBO).</summary>
    public float Beta { get; init; } = 1f;

    /// <summary>Steps over which the KL weight rises linearly from 0 to β (0: no warm-up).</summary>
    public long WarmupSteps { get; init; }

    /// <summary>The largest k of the importance-weighted bound (its graph holds k·batch rows).</summary>
    public const int MaxK = 5000;

    /// <summary>The KL weight at training step <paramref name="step"/> (0-based).</summary>
    public float KlWeight(long step) => WarmupSteps <= 0 ? Beta : Beta * (float)Math.Min(1.0, (step + 1) / (double)WarmupSteps);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Estimator)) throw new ArgumentException($"ElboOptions: unknown estimator {Estimator}.");
        if (Samples is < 1 or > 1000) throw new ArgumentException($"ElboOptions: Samples must be 1 to 1000; got {Samples}.");
        if (!(Beta >= 0f) || !float.IsFinite(Beta)) throw new ArgumentException($"ElboOptions: Beta must be a finite number ≥ 0; got {Beta}.");
        if (WarmupSteps < 0) throw new ArgumentException($"ElboOptions: WarmupSteps must be ≥ 0; got {WarmupSteps}.");
        if (!Enum.IsDefined(Objective)) throw new ArgumentException($"ElboOptions: unknown objective {Objective}.");
        if (K is < 1 or > MaxK) throw new ArgumentException($"ElboOptions: K must be 1 to {MaxK}; got {K}.");
        if (Objective == Objective.Elbo && K != 1)
            throw new ArgumentException($"ElboOptions: K = {K} importance samples apply to the IWAE objective; the ELBO takes Samples instead.");
        if (Objective == Objective.Iwae && (Samples != 1 || Beta != 1f || WarmupSteps != 0))
            throw new ArgumentException($"ElboOptions: the IWAE bound has k samples and no separate KL term, so Samples, Beta and WarmupSteps must keep their defaults (1, 1, 0); got {Samples}, {Beta}, {WarmupSteps}.");
    }
}
