using Vae.Simd.Data;

namespace Vae.Simd.Cli;

/// <summary>
/// Resolves <c>--data</c>: 'mnist' or 'fashion-mnist' (fetched and verified into the cache), a .tgz package or folder of IDX
/// files, or a .csv / .npy file of rows (the last tenth is held out as the test set).
/// </summary>
internal static class DataSources
{
    public static (Dataset Train, Dataset Test) Load(string data, TextWriter log)
    {
        IdxDataFiles? named = data.ToLowerInvariant() switch
        {
            "mnist" => IdxDataFiles.Mnist,
            "fashion-mnist" => IdxDataFiles.FashionMnist,
            _ => null,
        };
        if (named is not null)
        {
            var fetcher = new IdxDataFetcher();
            fetcher.Progress += message => log.WriteLine($"data: {message}");
            DataSplit split = IdxDataLoader.Load(fetcher.EnsureAsync(named).GetAwaiter().GetResult(), named);
            return (split.Train, split.Test);
        }
        string extension = Path.GetExtension(data).ToLowerInvariant();
        if (extension is ".csv" or ".npy")
        {
            if (!File.Exists(data)) throw new UsageException($"--data '{data}': no such file.");
            (float[] values, int rows, int columns) = extension == ".csv" ? CsvFile.Read(data) : NpyFile.Read(data);
            if (rows < 2) throw new InvalidDataException($"{data}: needs at least 2 rows (one for training, one for testing); got {rows}.");
            int test = Math.Max(1, rows / 10), train = rows - test;
            return (new DenseDataset(values[..(train * columns)], train, columns, $"{data} (first {train} rows)"),
                    new DenseDataset(values[(train * columns)..], test, columns, $"{data} (last {test} rows)"));
        }
        if (File.Exists(data) || Directory.Exists(data))
        {
            // The user's own IDX files (MNIST, Fashion-MNIST, KMNIST …): validated as IDX, taken as given.
            DataSplit split = IdxDataLoader.Load(data, IdxDataFiles.AnyIdx);
            return (split.Train, split.Test);
        }
        throw new UsageException($"--data '{data}' is not 'mnist', 'fashion-mnist', a .csv or .npy file, or an existing .tgz package or folder of IDX files.");
    }

    /// <summary>The first <paramref name="limit"/> examples of a data set (all when null).</summary>
    public static Dataset Take(Dataset data, int? limit) => limit is not int n || n >= data.Count ? data : data switch
    {
        ImageDataset images => images.Take(n),
        _ => new LimitedDataset(data, n),
    };

    private sealed class LimitedDataset(Dataset inner, int count) : Dataset
    {
        private readonly int[] _one = new int[1];
        public override int Count => count;
        public override int Features => inner.Features;
        public override string Source => $"{inner.Source} (first {count})";
        protected override void CopyRow(int index, Span<float> destination)
        {
            _one[0] = index;
            inner.CopyBatch(_one, destination);
        }
    }
}
