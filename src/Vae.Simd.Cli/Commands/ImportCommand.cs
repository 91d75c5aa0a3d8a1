using Vae.Simd.Checkpoints;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae import</c>: a safetensors file (ours, or the PyTorch example's state dict) as a model checkpoint.</summary>
internal sealed class ImportCommand : ICommand
{
    private const string FromFile = "what the file records; without metadata: ";

    public string Name => "import";
    public string Summary => "Import a safetensors model (exported here, or the PyTorch example's VAE) as a .vae checkpoint.";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("from", "FILE.safetensors", "The weights; the architecture comes from its metadata, or else from its tensors' shapes (sizes; for layered names also the likelihood and variance mode) and the options below."),
        new("out", "FILE", "The checkpoint to write (atomically).", "model.vae"),
        new("activation", "relu|tanh", "Hidden activation, which shapes cannot show (a file's metadata must agree).", FromFile + "relu"),
        new("likelihood", "bernoulli|gaussian|continuous-bernoulli", "Decoder distribution; fc4/decoder.logits are the same tensors for Bernoulli and continuous Bernoulli (a file's metadata or tensors must agree).", FromFile + "bernoulli, or gaussian for decoder.mean"),
        new("gaussian-variance", "per-pixel|shared|fixed", "Gaussian variance mode, checked against the tensors (decoder.logvar, decoder.shared_logvar, neither) or the metadata.", "what the file holds"),
        new("min-variance", "V", "Floor of a learned Gaussian variance (per-pixel, shared), as for vae train.", FromFile + "0.001"),
        new("fixed-variance", "V", "The Gaussian's variance with a fixed variance, as for vae train.", FromFile + "0.01"),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string source = options.RequiredString("from");
        string output = options.RequiredString("out");
        var settings = new SafetensorsImportSettings
        {
            Activation = options.Has("activation") ? ModelOptions.ParseActivation(options) : null,
            Likelihood = options.Has("likelihood") ? ModelOptions.ParseLikelihood(options) : null,
            GaussianVariance = options.Has("gaussian-variance") ? ModelOptions.ParseGaussianVariance(options) : null,
            MinVariance = options.Has("min-variance") ? ModelOptions.ParseMinVariance(options) : null,
            FixedVariance = options.Has("fixed-variance") ? ModelOptions.ParseFixedVariance(options) : null,
        };
        SafetensorsFile file = SafetensorsFile.Read(source);
        using VariationalAutoencoder model = SafetensorsModel.Read(file, settings);
        if (!SafetensorsModel.RecordsConfig(file) && !options.Has("activation"))
            stderr.WriteLine($"note: {source} does not record its architecture (no __metadata__ {SafetensorsModel.ConfigKey}); read as {model.Config} (--activation, --likelihood say what shapes cannot).");
        ModelCheckpoint.Save(output, model);
        stdout.WriteLine($"wrote {output} (a {model.Config} model from {source})");
        return 0;
    }
}
