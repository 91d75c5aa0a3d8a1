using Vae.Simd.Checkpoints;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae import</c>: a safetensors file (ours, or the PyTorch example's state dict) as a model checkpoint.</summary>
internal sealed class ImportCommand : ICommand
{
    public string Name => "import";
    public string Summary => "Import a safetensors model (exported here, or the PyTorch example's VAE) as a .vae checkpoint.";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("from", "FILE.safetensors", "The weights; the architecture comes from its metadata, or from the PyTorch example's tensor shapes."),
        new("out", "FILE", "The checkpoint to write (atomically).", "model.vae"),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string source = options.RequiredString("from");
        string output = options.RequiredString("out");
        using VariationalAutoencoder model = SafetensorsModel.Read(source);
        ModelCheckpoint.Save(output, model);
        stdout.WriteLine($"wrote {output} (a {model.Config} model from {source})");
        return 0;
    }
}
