using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Files;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Safetensors;

/// <summary>
/// A model as a safetensors file, readable by PyTorch's <c>safetensors.torch.load_file</c>. Weights are F32 in
/// PyTorch's [out × in] order. A model with one hidden layer and a Bernoulli decoder uses the PyTorch VAE
/// example's names (<c>fc1</c>, <c>fc21</c> μ head, <c>fc22</c> log σ² head, <c>fc3</c>, <c>fc4</c>, each with
/// <c>.weight</c> and <c>.bias</c>), so its <c>state_dict</c> loads the file as it is; other models use the
/// <c>layered</c> names (<c>encoder.{i}</c>, <c>encoder.mean</c>, <c>encoder.logvar</c>, <c>decoder.{i}</c>,
/// <c>decoder.logits</c> or <c>decoder.mean</c> + <c>decoder.logvar</c>). The header's <c>__metadata__</c>
/// records <c>vae.names</c> (the scheme) and <c>vae.config</c> (the architecture), so a file imports without
/// flags; a file without them (e.g. saved from the PyTorch example) is read as the example's ReLU
/// Bernoulli VAE, its sizes taken from the tensors' shapes. F32, F16, BF16 and F64 tensors are accepted.
/// </summary>
public static class SafetensorsModel
{
    /// <summary>The metadata key of the naming scheme.</summary>
    public const string NamesKey = "vae.names";

    /// <summary>The metadata key of the architecture (lines of <c>key=value</c>, as in a checkpoint's config section).</summary>
    public const string ConfigKey = "vae.config";

    /// <summary>Writes the model to <paramref name="destination"/>.</summary>
    public static void Write(VariationalAutoencoder model, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        var layers = new ModelLayers(model.Config, model.Layout);
        ReadOnlySpan<float> parameters = model.Parameters;
        var tensors = new List<(string, long[], float[])>();
        foreach (LinearLayer layer in layers.All)
        {
            tensors.Add(($"{layer.Name}.weight", [layer.Outputs, layer.Inputs], parameters.Slice(layer.Weight.Offset, layer.Weight.Length).ToArray()));
            tensors.Add(($"{layer.Name}.bias", [layer.Outputs], parameters.Slice(layer.Bias.Offset, layer.Bias.Length).ToArray()));
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt", // what PyTorch-side loaders (e.g. transformers) expect of a torch state dict
            [NamesKey] = layers.Scheme,
            [ConfigKey] = ModelCheckpoint.FormatConfig(model.Config),
        };
        SafetensorsFile.Write(destination, metadata, tensors);
    }

    /// <summary>Writes the model to <paramref name="path"/> whole or not at all.</summary>
    public static void Write(VariationalAutoencoder model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicWrite.ToFile(path, stream => Write(model, stream));
    }

    /// <summary>Reads a model; its architecture comes from the metadata, or from the PyTorch example's tensor shapes.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or does not hold a model; the message names the tensor.</exception>
    public static VariationalAutoencoder Read(string path) => Read(SafetensorsFile.Read(path));

    /// <summary>Reads a model from the bytes of a file; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string)"/>.</exception>
    public static VariationalAutoencoder Read(ReadOnlyMemory<byte> bytes, string source) => Read(SafetensorsFile.Parse(bytes, source));

    /// <summary>
    /// Overwrites <paramref name="model"/>'s parameters with the file's (e.g. PyTorch's initial weights). The file
    /// must hold exactly the tensors of the model's architecture; a file with <c>vae.config</c> must describe it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or holds another architecture; the model is left unchanged.</exception>
    public static void LoadParameters(string path, VariationalAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafetensorsFile file = SafetensorsFile.Read(path);
        if (ConfigIn(file) is { } config && !SameArchitecture(config, model.Config))
            throw new InvalidDataException($"{file.Source}: holds a {config} model; expected {model.Config}.");
        float[] parameters = Parameters(file, model.Config, model.Layout);
        parameters.CopyTo(model.Parameters);
    }

    private static VariationalAutoencoder Read(SafetensorsFile file)
    {
        VaeConfig config = ConfigIn(file) ?? PyTorchExampleConfig(file);
        var layout = new ParameterLayout(config);
        return new VariationalAutoencoder(config, Parameters(file, config, layout));
    }

    private static VaeConfig? ConfigIn(SafetensorsFile file)
    {
        if (!file.Metadata.TryGetValue(ConfigKey, out string? text)) return null;
        VaeConfig config = ModelCheckpoint.ParseConfig(text, $"{file.Source}: __metadata__ {ConfigKey}");
        string scheme = new ModelLayers(config, new ParameterLayout(config)).Scheme;
        if (file.Metadata.TryGetValue(NamesKey, out string? names) && names != scheme)
            throw new InvalidDataException($"{file.Source}: __metadata__ {NamesKey} is '{names}', but a {config} model's tensors are named by the '{scheme}' scheme.");
        return config;
    }

    /// <summary>The PyTorch example's VAE (ReLU, Bernoulli) with the sizes of fc1 and fc21.</summary>
    private static VaeConfig PyTorchExampleConfig(SafetensorsFile file)
    {
        SafetensorsTensor fc1 = file.Find("fc1.weight") ?? throw new InvalidDataException(
            $"{file.Source}: has no __metadata__ {ConfigKey} and no tensor 'fc1.weight', so it is neither a Vae.Simd export nor the PyTorch example's VAE.");
        SafetensorsTensor fc21 = file.Find("fc21.weight") ?? throw new InvalidDataException($"{file.Source}: tensor 'fc21.weight' (the μ head of the PyTorch example's VAE) is missing.");
        if (fc1.Shape.Length != 2 || fc21.Shape.Length != 2)
            throw new InvalidDataException($"{file.Source}: tensor '{(fc1.Shape.Length != 2 ? fc1 : fc21).Name}' has shape {(fc1.Shape.Length != 2 ? fc1 : fc21).ShapeText}; expected a matrix.");
        var config = new VaeConfig
        {
            InputSize = Size(fc1.Shape[1], fc1, file),
            HiddenSizes = [Size(fc1.Shape[0], fc1, file)],
            LatentSize = Size(fc21.Shape[0], fc21, file),
            Activation = Activation.Relu,
            Likelihood = Likelihood.Bernoulli,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{file.Source}: the tensors' shapes do not make a model: {e.Message}", e); }
        return config;
    }

    private static int Size(long value, SafetensorsTensor tensor, SafetensorsFile file) =>
        value is >= 1 and <= int.MaxValue ? (int)value
            : throw new InvalidDataException($"{file.Source}: tensor '{tensor.Name}' has shape {tensor.ShapeText}; every size must be 1 to {int.MaxValue}.");

    /// <summary>The flat parameter buffer, every tensor checked for presence, shape and finite values; no tensor may be left over.</summary>
    private static float[] Parameters(SafetensorsFile file, VaeConfig config, ParameterLayout layout)
    {
        // Every tensor is found and its shape checked before the buffer is allocated, so a configuration
        // claiming a huge model cannot allocate more than the file's tensors justify.
        var slices = new List<(SafetensorsTensor Tensor, ParameterSlice Slice)>();
        foreach (LinearLayer layer in new ModelLayers(config, layout).All)
        {
            slices.Add((Find(file, $"{layer.Name}.weight", [layer.Outputs, layer.Inputs], config), layer.Weight));
            slices.Add((Find(file, $"{layer.Name}.bias", [layer.Outputs], config), layer.Bias));
        }
        if (file.Tensors.FirstOrDefault(t => !slices.Exists(s => s.Tensor.Name == t.Name)) is { } extra)
            throw new InvalidDataException($"{file.Source}: tensor '{extra.Name}' is not part of a {config} model.");
        var parameters = new float[layout.TotalLength];
        foreach ((SafetensorsTensor tensor, ParameterSlice slice) in slices) Fill(file, tensor, parameters.AsSpan(slice.Offset, slice.Length));
        return parameters;
    }

    private static SafetensorsTensor Find(SafetensorsFile file, string name, long[] shape, VaeConfig config)
    {
        SafetensorsTensor tensor = file.Find(name) ?? throw new InvalidDataException($"{file.Source}: tensor '{name}' of a {config} model is missing.");
        if (!tensor.Shape.AsSpan().SequenceEqual(shape))
            throw new InvalidDataException($"{file.Source}: tensor '{name}' has shape {tensor.ShapeText}; a {config} model needs [{string.Join(", ", shape)}].");
        return tensor;
    }

    private static void Fill(SafetensorsFile file, SafetensorsTensor tensor, Span<float> destination)
    {
        string name = tensor.Name;
        float[] values = file.Floats(tensor);
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0) throw new InvalidDataException($"{file.Source}: tensor '{name}' element {bad} is {values[bad]} as float32; every parameter must be finite.");
        values.CopyTo(destination);
    }

    /// <summary>Same tensors and activation; the initialisation scheme does not matter once weights exist.</summary>
    private static bool SameArchitecture(VaeConfig a, VaeConfig b) => a with { Initialization = b.Initialization } == b;
}
