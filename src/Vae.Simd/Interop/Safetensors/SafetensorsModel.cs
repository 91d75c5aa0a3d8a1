using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Files;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Safetensors;

/// <summary>
/// A model as a safetensors file, readable by PyTorch's <c>safetensors.torch.load_file</c>. Weights are F32 in
/// PyTorch's [out × in] order. A model with one hidden layer and a Bernoulli or continuous Bernoulli decoder uses
/// the PyTorch VAE example's names (<c>fc1</c>, <c>fc21</c> μ head, <c>fc22</c> log σ² head, <c>fc3</c>, <c>fc4</c>
/// logits, each with <c>.weight</c> and <c>.bias</c>), so its <c>state_dict</c> loads the file as it is; other
/// models use the <c>layered</c> names (<c>encoder.{i}</c>, <c>encoder.mean</c>, <c>encoder.logvar</c>,
/// <c>decoder.{i}</c>, then <c>decoder.logits</c>, or <c>decoder.mean</c> with <c>decoder.logvar</c> (per-pixel
/// variance), <c>decoder.shared_logvar</c> [1] (shared variance; before the floor) or nothing (fixed variance)).
/// The header's <c>__metadata__</c> records <c>vae.names</c> (the scheme) and <c>vae.config</c> (the architecture,
/// with the Gaussian's variance mode, floor and fixed value), so a file imports without flags. A file without
/// them (e.g. a PyTorch <c>state_dict</c> saved with <c>save_file</c>) gets its sizes, and for layered names its
/// likelihood and variance mode, from its tensors; what shapes cannot say (the activation; continuous vs plain
/// Bernoulli; the variance floor and fixed value) comes from <see cref="SafetensorsImportSettings"/>, by default
/// the example's ReLU Bernoulli VAE. F32, F16, BF16 and F64 tensors are accepted.
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
        foreach ((string name, long[] shape, ParameterSlice slice) in layers.Tensors)
            tensors.Add((name, shape, parameters.Slice(slice.Offset, slice.Length).ToArray()));
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

    /// <summary>
    /// Reads a model; its architecture comes from the metadata, or from the tensors' shapes and
    /// <paramref name="settings"/>. A setting given for a file whose metadata records another value is an error.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, does not hold a model, or its metadata disagrees with
    /// <paramref name="settings"/>; the message names the tensor or the setting.</exception>
    public static VariationalAutoencoder Read(string path, SafetensorsImportSettings? settings = null) => Read(SafetensorsFile.Read(path), settings);

    /// <summary>Reads a model from the bytes of a file; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string, SafetensorsImportSettings?)"/>.</exception>
    public static VariationalAutoencoder Read(ReadOnlyMemory<byte> bytes, string source, SafetensorsImportSettings? settings = null) =>
        Read(SafetensorsFile.Parse(bytes, source), settings);

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

    /// <summary>Whether the file records its architecture (<c>__metadata__</c> <see cref="ConfigKey"/>), so no setting is needed to read it.</summary>
    internal static bool RecordsConfig(SafetensorsFile file) => file.Metadata.ContainsKey(ConfigKey);

    internal static VariationalAutoencoder Read(SafetensorsFile file, SafetensorsImportSettings? settings)
    {
        settings ??= new SafetensorsImportSettings();
        VaeConfig config = ConfigIn(file) is { } recorded ? settings.CheckAgainst(recorded, $"{file.Source}: __metadata__ {ConfigKey}") : ConfigFromShapes(file, settings);
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

    /// <summary>
    /// The architecture of a file without <see cref="ConfigKey"/>: sizes from the shapes of the PyTorch example's
    /// names (fc1, fc21) or of the layered names (encoder.{i}, encoder.mean), the likelihood and variance mode from
    /// which decoder heads the layered names hold, the rest from <paramref name="settings"/>.
    /// </summary>
    private static VaeConfig ConfigFromShapes(SafetensorsFile file, SafetensorsImportSettings settings)
    {
        Likelihood likelihood;
        GaussianVariance variance = GaussianVariance.PerPixel;
        int input, latent;
        var hidden = new List<int>();
        if (file.Find("fc1.weight") is not null)
        {
            SafetensorsTensor fc1 = Matrix(file, "fc1.weight", "the encoder's hidden layer of the PyTorch example's VAE");
            SafetensorsTensor fc21 = Matrix(file, "fc21.weight", "the μ head of the PyTorch example's VAE");
            (input, latent) = (Size(fc1.Shape[1], fc1, file), Size(fc21.Shape[0], fc21, file));
            hidden.Add(Size(fc1.Shape[0], fc1, file));
            likelihood = settings.Likelihood ?? Likelihood.Bernoulli;
            if (likelihood == Likelihood.Gaussian)
                throw new InvalidDataException($"{file.Source}: the PyTorch example's names (fc4 = logits) hold a Bernoulli or continuous Bernoulli decoder, not the Gaussian one asked for.");
        }
        else if (file.Find("encoder.0.weight") is not null)
        {
            SafetensorsTensor first = Matrix(file, "encoder.0.weight", "the first hidden layer");
            input = Size(first.Shape[1], first, file);
            for (int i = 0; file.Find($"encoder.{i}.weight") is not null; i++)
            {
                SafetensorsTensor layer = Matrix(file, $"encoder.{i}.weight", $"hidden layer {i}");
                hidden.Add(Size(layer.Shape[0], layer, file));
            }
            SafetensorsTensor mean = Matrix(file, "encoder.mean.weight", "the μ head");
            latent = Size(mean.Shape[0], mean, file);
            bool logits = file.Find("decoder.logits.weight") is not null;
            likelihood = logits ? settings.Likelihood ?? Likelihood.Bernoulli : Likelihood.Gaussian;
            if (logits && likelihood == Likelihood.Gaussian)
                throw new InvalidDataException($"{file.Source}: tensor 'decoder.logits.weight' is a Bernoulli or continuous Bernoulli decoder's head, not the Gaussian one asked for.");
            if (!logits && settings.Likelihood is { } asked && asked != Likelihood.Gaussian)
                throw new InvalidDataException($"{file.Source}: has no tensor 'decoder.logits.weight', so its decoder is Gaussian (decoder.mean), not the {asked} one asked for.");
            if (likelihood == Likelihood.Gaussian)
            {
                variance = file.Find("decoder.logvar.weight") is not null ? GaussianVariance.PerPixel
                    : file.Find("decoder.shared_logvar") is not null ? GaussianVariance.Shared : GaussianVariance.Fixed;
                if (settings.GaussianVariance is { } askedVariance && askedVariance != variance)
                    throw new InvalidDataException($"{file.Source}: its tensors (decoder.logvar.weight for per-pixel, decoder.shared_logvar for shared, neither for fixed) " +
                        $"make a {variance} variance, not the {askedVariance} one asked for.");
            }
        }
        else throw new InvalidDataException(
            $"{file.Source}: has no __metadata__ {ConfigKey} and neither 'fc1.weight' (the PyTorch example's VAE) nor 'encoder.0.weight' (the layered names), so it does not hold a Vae.Simd model.");

        if (likelihood != Likelihood.Gaussian && settings.GaussianVariance is not null)
            throw new InvalidDataException($"{file.Source}: holds a {likelihood} decoder; a Gaussian variance mode does not apply.");
        var config = new VaeConfig
        {
            InputSize = input,
            HiddenSizes = [.. hidden],
            LatentSize = latent,
            Activation = settings.Activation ?? Activation.Relu,
            Likelihood = likelihood,
            GaussianVariance = variance,
            MinVariance = settings.MinVariance ?? VaeConfig.DefaultMinVariance,
            FixedVariance = settings.FixedVariance ?? VaeConfig.DefaultFixedVariance,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{file.Source}: the tensors' shapes and the settings do not make a model: {e.Message}", e); }
        return config;
    }

    private static SafetensorsTensor Matrix(SafetensorsFile file, string name, string what)
    {
        SafetensorsTensor tensor = file.Find(name) ?? throw new InvalidDataException($"{file.Source}: tensor '{name}' ({what}) is missing.");
        return tensor.Shape.Length == 2 ? tensor : throw new InvalidDataException($"{file.Source}: tensor '{name}' has shape {tensor.ShapeText}; expected a matrix.");
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
        foreach ((string name, long[] shape, ParameterSlice slice) in new ModelLayers(config, layout).Tensors)
            slices.Add((Find(file, name, shape, config), slice));
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
