using Vae.Simd.Interop.Onnx;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary><c>vae export</c>: a trained model as an ONNX graph (encoder or decoder) or a safetensors file with PyTorch's names.</summary>
internal sealed class ExportCommand : ICommand
{
    public string Name => "export";
    public string Summary => "Export a model: the encoder or decoder as ONNX, or the weights as safetensors (PyTorch's names).";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        ModelOptions.Model,
        new("format", "onnx|safetensors", "Output format.", "from the --out extension"),
        new("part", "encoder|decoder", "ONNX only: the encoder (x -> mean, log_variance) or the decoder (z -> logits and probabilities, or mean and log_variance)."),
        new("out", "FILE", "Output file (written atomically)."),
    ];

    public int Run(CommandLine options, TextWriter stdout, TextWriter stderr)
    {
        string output = options.RequiredString("out");
        string format = options.Has("format") ? options.Choice("format", "onnx", "safetensors") : Path.GetExtension(output).ToLowerInvariant() switch
        {
            ".onnx" => "onnx",
            ".safetensors" => "safetensors",
            _ => throw new UsageException($"--format onnx|safetensors is needed when --out does not end in .onnx or .safetensors; got '{output}'."),
        };
        OnnxPart? part = !options.Has("part") ? null : options.Choice("part", "encoder", "decoder") == "encoder" ? OnnxPart.Encoder : OnnxPart.Decoder;
        if (format == "onnx" && part is null) throw new UsageException("ONNX export needs --part encoder or --part decoder.");
        if (format == "safetensors" && part is not null) throw new UsageException("--part is for ONNX; a safetensors file holds the whole model.");

        using VariationalAutoencoder model = ModelOptions.Load(options, out _);
        if (part is OnnxPart onnxPart)
        {
            OnnxExport.Write(model, onnxPart, output);
            stdout.WriteLine($"wrote {output} (the {onnxPart.ToString().ToLowerInvariant()} of a {model.Config} model, ONNX opset {OnnxExport.OpsetVersion})");
        }
        else
        {
            SafetensorsModel.Write(model, output);
            stdout.WriteLine($"wrote {output} (a {model.Config} model, {model.Parameters.Length} float32 parameters)");
        }
        return 0;
    }
}
