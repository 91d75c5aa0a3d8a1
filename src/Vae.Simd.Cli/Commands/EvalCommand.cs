using System.Globalization;
using Vae.Simd.Data;
using Vae.Simd.Model;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae eval</c>: the ELBO and the importance-weighted log p(x) of a data set (by default the test set of the model's own data).</summary>
internal sealed class EvalCommand : ICommand
{
    public string Name => "eval";
    public string Summary => "ELBO and the importance-weighted estimate of log p(x) (default: the test set of the model's own data).";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        ModelOptions.Model, ModelOptions.Data, ModelOptions.Split, ModelOptions.Threads, ModelOptions.Seed,
        new("iw", "K", "Importance samples per example for log p(x) (0 skips it).", "5000"),
        new("iw-limit", "N", "Examples scored by the importance-weighted estimate (it costs K decoder passes each).", "1000"),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        int k = options.Int("iw", 0, 1_000_000), limit = options.Int("iw-limit", 1), threads = options.Int("threads", 1, 1024);
        ulong seed = (ulong)options.Long("seed", 0);
        using VariationalAutoencoder model = ModelOptions.Load(options, out var trainedOn);
        Dataset test = ModelOptions.LoadData(options, model, trainedOn, stderr);
        double elbo = Evaluator.Elbo(model, test, threads, seed);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ELBO {elbo:F2} nats over {test.Count} examples of {test.Source}"));
        if (k > 0)
        {
            int n = Math.Min(limit, test.Count);
            double logLikelihood = Evaluator.LogLikelihood(model, test, k, n, threads, seed);
            double elboSubset = Evaluator.Elbo(model, DataSources.Take(test, n), threads, seed);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"log p(x) ≈ {logLikelihood:F2} nats (importance-weighted, K = {k}, first {n} examples; their ELBO is {elboSubset:F2})"));
        }
        return 0;
    }
}
