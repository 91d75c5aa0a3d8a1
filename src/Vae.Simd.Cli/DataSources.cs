using System.Security.Cryptography;
using Vae.Simd.Data;

namespace Vae.Simd.Cli;

/// <summary>Which rows of a data set a command uses.</summary>
internal enum DataPart
{
    /// <summary>Every row: the training and the test set together.</summary>
    All,
    /// <summary>The training set (of a file of rows: all but the last tenth).</summary>
    Train,
    /// <summary>The test set (of a file of rows: the last tenth).</summary>
    Test,
}

/// <summary>A data set as <c>--data</c> named it: its two sets, its name, and the SHA-256 of the files it came from.</summary>
/// <param name="Name">'mnist', 'fashion-mnist', or the full path of the file or folder.</param>
internal sealed record LoadedData(string Name, Dataset Train, Dataset Test, IReadOnlyDictionary<string, string> FileSha256)
{
    /// <summary>The rows of <paramref name="part"/>.</summary>
    public Dataset Select(DataPart part) => part switch
    {
        DataPart.Train => Train,
        DataPart.Test => Test,
        _ => new JoinedDataset(Train, Test, Name),
    };
}

/// <summary>
/// Resolves <c>--data</c>: 'mnist' or 'fashion-mnist' (fetched and verified into the cache), a .tgz package or folder of IDX
/// files, or a .csv / .npy file of rows (the last tenth is the test set).
/// </summary>
internal static class DataSources
{
    /// <summary>Whether <paramref name="data"/> names a published data set rather than a file or folder.</summary>
    public static bool IsNamed(string data) => Named(data) is not null;

    /// <summary>Loads <paramref name="data"/>; fetch progress goes to <paramref name="log"/>.</summary>
    public static LoadedData Load(string data, TextWriter log)
    {
        if (Named(data) is { } named)
        {
            var fetcher = new IdxDataFetcher();
            fetcher.Progress += message => log.WriteLine($"data: {message}");
            DataSplit split = IdxDataLoader.Load(fetcher.EnsureAsync(named).GetAwaiter().GetResult(), named);
            return new LoadedData(named.Name, split.Train, split.Test, split.FileSha256);
        }
        string extension = Path.GetExtension(data).ToLowerInvariant();
        if (extension is ".csv" or ".npy")
        {
            if (!File.Exists(data)) throw new UsageException($"--data '{data}': no such file.");
            string path = Path.GetFullPath(data);
            (float[] values, int rows, int columns) = extension == ".csv" ? CsvFile.Read(path) : NpyFile.Read(path);
            if (rows < 2) throw new InvalidDataException($"{data}: needs at least 2 rows (one for training, one for testing); got {rows}.");
            int test = Math.Max(1, rows / 10), train = rows - test;
            string hash;
            using (FileStream file = File.OpenRead(path)) hash = Convert.ToHexStringLower(SHA256.HashData(file));
            return new LoadedData(path,
                new DenseDataset(values[..(train * columns)], train, columns, $"{path} train"),
                new DenseDataset(values[(train * columns)..], test, columns, $"{path} test"),
                new Dictionary<string, string> { [Path.GetFileName(path)] = hash });
        }
        if (File.Exists(data) || Directory.Exists(data))
        {
            // The user's own IDX files (MNIST, Fashion-MNIST, KMNIST …): validated as IDX, taken as given.
            string path = Path.GetFullPath(data);
            DataSplit split = IdxDataLoader.Load(path, IdxDataFiles.AnyIdx);
            return new LoadedData(path, split.Train, split.Test, split.FileSha256);
        }
        throw new UsageException($"--data '{data}' is not 'mnist', 'fashion-mnist', a .csv or .npy file, or an existing .tgz package or folder of IDX files.");
    }

    /// <summary>The first <paramref name="limit"/> examples of a data set (all when null).</summary>
    public static Dataset Take(Dataset data, int? limit) => limit is not int n || n >= data.Count ? data : data switch
    {
        ImageDataset images => images.Take(n),
        _ => new LimitedDataset(data, n),
    };

    /// <summary>The published data set <paramref name="data"/> names ('mnist', 'fashion-mnist'), or null for a path.</summary>
    public static IdxDataFiles? Named(string data) => data.ToLowerInvariant() switch
    {
        "mnist" => IdxDataFiles.Mnist,
        "fashion-mnist" => IdxDataFiles.FashionMnist,
        _ => null,
    };
}
