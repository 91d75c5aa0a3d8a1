using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Training;

/// <summary>Scores a data set with a model, in parallel batches whose results do not depend on the thread count.</summary>
public static class Evaluator
{
    private const int BatchRows = 500;

    /// <summary>The mean ELBO per example (nats), analytic KL, one sample of z per example.</summary>
    public static double Elbo(VariationalAutoencoder model, Dataset data, int threads, ulong seed = 0, int samples = 1)
    {
        int batches = (data.Count + BatchRows - 1) / BatchRows;
        var sums = new double[batches];
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, () => new Buffers(data.Features), (b, _, buffers) =>
        {
            int first = b * BatchRows, rows = Math.Min(BatchRows, data.Count - first);
            Span<int> indices = buffers.Indices.AsSpan(0, rows);
            for (int i = 0; i < rows; i++) indices[i] = first + i;
            Span<float> x = buffers.X.AsSpan(0, rows * data.Features), elbo = buffers.Result.AsSpan(0, rows);
            data.CopyBatch(indices, x);
            model.Elbo(x, elbo, samples, seed, first);
            double sum = 0;
            foreach (float v in elbo) sum += v;
            sums[b] = sum;
            return buffers;
        }, _ => { });
        double total = 0;
        foreach (double s in sums) total += s; // fixed order
        return total / data.Count;
    }

    /// <summary>The mean importance-weighted log p(x) (nats) over the first <paramref name="limit"/> examples, K samples each.</summary>
    public static double LogLikelihood(VariationalAutoencoder model, Dataset data, int samples, int limit, int threads, ulong seed = 0)
    {
        int count = Math.Min(limit, data.Count);
        var values = new double[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, () => new Buffers(data.Features), (i, _, buffers) =>
        {
            buffers.Indices[0] = i;
            Span<float> x = buffers.X.AsSpan(0, data.Features);
            data.CopyBatch(buffers.Indices.AsSpan(0, 1), x);
            model.LogLikelihood(x, samples, buffers.Result.AsSpan(0, 1), seed ^ (ulong)i * 0x9E3779B97F4A7C15UL);
            values[i] = buffers.Result[0];
            return buffers;
        }, _ => { });
        double total = 0;
        foreach (double v in values) total += v;
        return total / count;
    }

    private sealed class Buffers(int features)
    {
        public int[] Indices { get; } = new int[BatchRows];
        public float[] X { get; } = new float[BatchRows * features];
        public float[] Result { get; } = new float[BatchRows];
    }
}
