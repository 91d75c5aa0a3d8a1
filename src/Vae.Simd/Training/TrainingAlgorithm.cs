namespace Vae.Simd.Training;

/// <summary>How the encoder and decoder are fitted.</summary>
public enum TrainingAlgorithm
{
    /// <summary>Auto-encoding variational Bayes (Kingma &amp; Welling): one objective, its gradient through the reparameterised z to both networks.</summary>
    Aevb,
    /// <summary>
    /// Wake-sleep (Hinton, Dayan, Frey &amp; Neal 1995), the AEVB paper's baseline: the wake phase fits the decoder θ to
    /// (x, z ~ q_φ(z|x)) by ∇θ log p_θ(x, z); the sleep phase fits the encoder φ to dreams z ~ p(z), x ~ p_θ(x|z) by
    /// ∇φ log q_φ(z|x); one optimizer step applies both. The same networks, initialisation and optimizer as AEVB.
    /// </summary>
    WakeSleep,
}
