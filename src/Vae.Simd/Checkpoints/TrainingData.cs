using Vae.Simd.Data;

namespace Vae.Simd.Checkpoints;

/// <summary>
/// The data a model was trained on, as its checkpoint records it (section <c>data</c>), so that later
/// commands can default to it and tell when they are given other data.
/// </summary>
/// <param name="Source">A named data set ("mnist", "fashion-mnist") or the full path of the file or folder.</param>
/// <param name="FileSha256">The SHA-256 (lower-case hex) of each file the data came from, by file name (for IDX data: the decompressed files).</param>
/// <param name="Binarization">How the training targets were binarised.</param>
/// <param name="Examples">Training examples used (after any limit).</param>
/// <param name="Features">Values per example.</param>
public sealed record TrainingData(string Source, IReadOnlyDictionary<string, string> FileSha256, Binarization Binarization, int Examples, int Features)
{
    /// <summary>Whether <paramref name="fileSha256"/> names the same files with the same contents as <see cref="FileSha256"/>.</summary>
    public bool SameFiles(IReadOnlyDictionary<string, string> fileSha256) =>
        fileSha256.Count == FileSha256.Count && FileSha256.All(kv => fileSha256.TryGetValue(kv.Key, out string? hash) && hash == kv.Value);
}
