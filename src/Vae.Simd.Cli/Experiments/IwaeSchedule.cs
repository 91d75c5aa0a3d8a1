namespace Vae.Simd.Cli.Experiments;

/// <summary>
/// The IWAE paper's training schedule (Burda, Grosse &amp; Salakhutdinov 2016, §5): stages i = 0 … 7, stage i lasting
/// 3^i epochs at learning rate 0.001·10^(−i/7), 3,280 epochs in all.
/// </summary>
internal static class IwaeSchedule
{
    /// <summary>The number of stages of the full schedule.</summary>
    public const int StageCount = 8;

    /// <summary>Epochs of stage <paramref name="stage"/>: 3^stage.</summary>
    public static int EpochsOf(int stage)
    {
        Check(stage);
        int epochs = 1;
        for (int i = 0; i < stage; i++) epochs *= 3;
        return epochs;
    }

    /// <summary>The learning rate of stage <paramref name="stage"/>: 0.001·10^(−stage/7).</summary>
    public static float RateOf(int stage)
    {
        Check(stage);
        return (float)(0.001 * Math.Pow(10, -stage / 7.0));
    }

    /// <summary>Epochs done when stage <paramref name="stage"/> ends: 1 + 3 + … + 3^stage = (3^(stage+1) − 1) / 2.</summary>
    public static int EndEpoch(int stage) => (EpochsOf(stage) * 3 - 1) / 2;

    /// <summary>The stage that epoch <paramref name="epoch"/> (0-based) belongs to; epochs past the schedule belong to no stage.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative or past the last stage.</exception>
    public static int StageOf(int epoch)
    {
        for (int stage = 0; stage < StageCount; stage++)
            if (epoch >= 0 && epoch < EndEpoch(stage)) return stage;
        throw new ArgumentOutOfRangeException(nameof(epoch), $"IwaeSchedule: epoch {epoch} is outside the {EndEpoch(StageCount - 1)} epochs of the schedule.");
    }

    private static void Check(int stage)
    {
        if (stage is < 0 or >= StageCount) throw new ArgumentOutOfRangeException(nameof(stage), $"IwaeSchedule: stage must be 0 to {StageCount - 1}; got {stage}.");
    }
}
