using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae encode</c>: the posterior means (and log variances) of a data set, as CSV or NPY.</summary>
internal sealed class EncodeCommand : ICommand
{
    public string Name => "encode";
    public string Summary => "Encode a data set: write the mean and log variance of q(z|x) of every example (see --split) to CSV or NPY.";
    public IReadOnlyList<OptionSpec> Options { get; } =
        [ModelOptions.Model, ModelOptions.Data, ModelOptions.Split, new("out", "FILE.csv|FILE.npy", "Output file.", "z.csv")];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string output = options.RequiredString("out");
        string extension = Path.GetExtension(output).ToLowerInvariant();
        if (extension is not (".csv" or ".npy")) throw new UsageException($"--out must end in .csv or .npy; got '{output}'.");
        using VariationalAutoencoder model = ModelOptions.Load(options, out var trainedOn);
        Dataset data = ModelOptions.LoadData(options, model, trainedOn, stderr);
        int latent = model.LatentSize, columns = 2 * latent;
        var result = new float[data.Count * columns];
        const int Batch = 500;
        var x = new float[Batch * model.InputSize];
        var mean = new float[Batch * latent];
        var logVariance = new float[Batch * latent];
        var indices = new int[Batch];
        for (int start = 0; start < data.Count; start += Batch)
        {
            int rows = Math.Min(Batch, data.Count - start);
            for (int i = 0; i < rows; i++) indices[i] = start + i;
            data.CopyBatch(indices.AsSpan(0, rows), x.AsSpan(0, rows * model.InputSize));
            model.Encode(x.AsSpan(0, rows * model.InputSize), mean.AsSpan(0, rows * latent), logVariance.AsSpan(0, rows * latent));
            for (int i = 0; i < rows; i++)
            {
                mean.AsSpan(i * latent, latent).CopyTo(result.AsSpan((start + i) * columns));
                logVariance.AsSpan(i * latent, latent).CopyTo(result.AsSpan((start + i) * columns + latent));
            }
        }
        if (extension == ".npy") NpyFile.Write(output, result, data.Count, columns);
        else CsvFile.Write(output, result, data.Count, columns,
            [.. Enumerable.Range(0, latent).Select(d => $"mean{d}"), .. Enumerable.Range(0, latent).Select(d => $"logvar{d}")]);
        stdout.WriteLine($"wrote {output} ({data.Count} rows, from {data.Source}: {latent} means, then {latent} log variances)");
        return 0;
    }
}
