namespace Vae.Simd.Cli.Experiments;

/// <summary>
/// Kingma &amp; Welling's choice of Adagrad's global step size: each candidate trains for the first iterations from the
/// same initialisation, and the one whose training bound is highest over the trial's second half wins.
/// </summary>
internal static class StepSizeSelection
{
    /// <summary>The paper's candidates.</summary>
    public static IReadOnlyList<float> PaperCandidates { get; } = [0.01f, 0.02f, 0.1f];

    /// <summary>
    /// The candidate with the highest score (<paramref name="trial"/> returns the training bound, higher is better;
    /// a non-finite score — a diverged trial — never wins); ties go to the earlier candidate.
    /// </summary>
    /// <exception cref="ArgumentException">There are no candidates, or no trial ended with a finite score.</exception>
    public static (float Best, double[] Scores) Choose(IReadOnlyList<float> candidates, Func<float, double> trial)
    {
        if (candidates.Count == 0) throw new ArgumentException("StepSizeSelection: there are no candidate step sizes.", nameof(candidates));
        var scores = new double[candidates.Count];
        int best = -1;
        for (int i = 0; i < candidates.Count; i++)
        {
            scores[i] = trial(candidates[i]);
            if (double.IsFinite(scores[i]) && (best < 0 || scores[i] > scores[best])) best = i;
        }
        if (best < 0) throw new ArgumentException($"StepSizeSelection: every trial diverged ({string.Join(", ", candidates)}).");
        return (candidates[best], scores);
    }
}
