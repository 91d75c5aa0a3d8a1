using Vae.Simd.Data;

namespace Vae.Simd.Cli;

/// <summary>The first rows of another data set, without copying them.</summary>
internal sealed class LimitedDataset(Dataset inner, int count) : Dataset
{
    public override int Count => count;
    public override int Features => inner.Features;
    public override string Source => $"{inner.Source} (first {count})";

    // Rows are fetched one by one through the public batch copy; the index lives on the stack because
    // evaluation copies rows from several threads at once.
    protected override void CopyRow(int index, Span<float> destination) => inner.CopyBatch([index], destination);
}

/// <summary>Two data sets of the same width, one after the other (a training set followed by its test set).</summary>
internal sealed class JoinedDataset : Dataset
{
    private readonly Dataset _first, _second;

    public JoinedDataset(Dataset first, Dataset second, string source)
    {
        if (first.Features != second.Features)
            throw new ArgumentException($"JoinedDataset: {first.Source} has {first.Features} values per example, {second.Source} {second.Features}.");
        (_first, _second, Source) = (first, second, source);
    }

    public override int Count => _first.Count + _second.Count;
    public override int Features => _first.Features;
    public override int Width => _first.Width == _second.Width ? _first.Width : 0;
    public override int Height => _first.Height == _second.Height ? _first.Height : 0;
    public override string Source { get; }

    protected override void CopyRow(int index, Span<float> destination)
    {
        if (index < _first.Count) _first.CopyBatch([index], destination);
        else _second.CopyBatch([index - _first.Count], destination);
    }
}
