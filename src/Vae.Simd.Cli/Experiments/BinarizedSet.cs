using Vae.Simd.Data;

namespace Vae.Simd.Cli.Experiments;

/// <summary>
/// A fixed binary copy of (the first rows of) a data set: each pixel drawn once from Bernoulli(intensity). The
/// models are trained on dynamically binarised data, so their likelihoods are those of binary images; scoring the
/// intensities themselves would not be a likelihood at all.
/// </summary>
internal static class BinarizedSet
{
    /// <summary>The first <paramref name="count"/> rows of <paramref name="data"/>, binarised once with <paramref name="seed"/>.</summary>
    public static Dataset Of(Dataset data, int count, ulong seed)
    {
        int rows = Math.Min(count, data.Count);
        var values = new float[rows * data.Features];
        var indices = new int[rows];
        for (int i = 0; i < rows; i++) indices[i] = i;
        data.CopyBatch(indices, values, new Binarization(BinarizationMode.Dynamic, Seed: seed));
        return new DenseDataset(values, rows, data.Features, $"{data.Source} (first {rows}, binarised once, seed {seed})");
    }
}
