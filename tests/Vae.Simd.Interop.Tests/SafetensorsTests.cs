using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Vae.Simd.Autodiff;
using Vae.Simd.Interop.Safetensors;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Tests;

/// <summary>safetensors export and import: PyTorch's names and layout, bitwise round trips, other dtypes, and every malformed header named.</summary>
public class SafetensorsTests
{
    [Theory]
    [MemberData(nameof(TestModels.Architectures), MemberType = typeof(TestModels))]
    public void ExportThenImportRoundTripsBitwise(Activation activation, Likelihood likelihood, GaussianVariance variance, int layers)
    {
        using VariationalAutoencoder model = TestModels.Random(activation, likelihood, layers, seed: 7, variance);
        byte[] file = Export(model);
        using VariationalAutoencoder imported = SafetensorsModel.Read(file, "model.safetensors");
        Assert.Equal(model.Config, imported.Config);
        Assert.Equal(Bits(model.Parameters), Bits(imported.Parameters));
        Assert.Equal(file, Export(imported)); // and the bytes are a fixed point
    }

    [Fact]
    public void DefaultModelUsesThePyTorchExamplesNamesShapesAndOrder()
    {
        using var model = new VariationalAutoencoder(new VaeConfig(), seed: 1);
        byte[] file = Export(model);
        (JsonElement header, byte[] data) = Split(file);
        var tensors = header.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
        Assert.Equal(["fc1.bias", "fc1.weight", "fc21.bias", "fc21.weight", "fc22.bias", "fc22.weight", "fc3.bias", "fc3.weight", "fc4.bias", "fc4.weight"],
            tensors.Select(t => t.Name));
        int[] Shape(string name) => [.. header.GetProperty(name).GetProperty("shape").EnumerateArray().Select(e => e.GetInt32())];
        Assert.Equal([400, 784], Shape("fc1.weight"));
        Assert.Equal([400], Shape("fc1.bias"));
        Assert.Equal([20, 400], Shape("fc21.weight"));
        Assert.Equal([20, 400], Shape("fc22.weight"));
        Assert.Equal([400, 20], Shape("fc3.weight"));
        Assert.Equal([784, 400], Shape("fc4.weight"));
        Assert.Equal("pytorch-example", header.GetProperty("__metadata__").GetProperty("vae.names").GetString());
        // fc1.weight[o, i] is the weight from input i to hidden unit o: PyTorch's [out, in] order, row-major.
        long[] offsets = [.. header.GetProperty("fc1.weight").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64())];
        ParameterSlice w = model.Layout["encoder.0.weight"];
        for (int probe = 0; probe < 50; probe++)
        {
            int o = probe * 7 % 400, i = probe * 131 % 784;
            float stored = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)offsets[0] + 4 * (o * 784 + i)));
            Assert.Equal(model.Parameters[w.Offset + o * 784 + i], stored);
        }
        // The data section starts 8-byte aligned, and the header is JSON padded with spaces.
        Assert.Equal(0, (file.Length - data.Length) % 8);
    }

    [Fact]
    public void DeeperAndGaussianModelsUseTheLayeredNames()
    {
        using VariationalAutoencoder model = TestModels.Random(Activation.Tanh, Likelihood.Gaussian, 2, seed: 2);
        (JsonElement header, _) = Split(Export(model));
        string[] names = [.. header.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__")];
        Assert.Equal(
            ["decoder.0.bias", "decoder.0.weight", "decoder.1.bias", "decoder.1.weight", "decoder.logvar.bias", "decoder.logvar.weight", "decoder.mean.bias", "decoder.mean.weight",
             "encoder.0.bias", "encoder.0.weight", "encoder.1.bias", "encoder.1.weight", "encoder.logvar.bias", "encoder.logvar.weight", "encoder.mean.bias", "encoder.mean.weight"], names);
        Assert.Equal("layered", header.GetProperty("__metadata__").GetProperty("vae.names").GetString());
        Assert.Contains("hidden=17,9", header.GetProperty("__metadata__").GetProperty("vae.config").GetString());
    }

    [Theory]
    [InlineData("F64")]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void OtherFloatDtypesImport(string dtype)
    {
        using VariationalAutoencoder model = TestModels.Random(Activation.Relu, Likelihood.Bernoulli, 1, seed: 4);
        // Round the model's values to the dtype first, so the import must give them exactly.
        Span<float> p = model.Parameters;
        for (int i = 0; i < p.Length; i++)
            p[i] = dtype switch
            {
                "F16" => (float)(Half)p[i],
                "BF16" => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(p[i]) & unchecked((int)0xFFFF0000)),
                _ => p[i],
            };
        (JsonElement header, byte[] data) = Split(Export(model));
        var tensors = new List<(string, string, long[], byte[])>();
        foreach (JsonProperty t in header.EnumerateObject().Where(t => t.Name != "__metadata__"))
        {
            long[] range = [.. t.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64())];
            float[] values = [.. Enumerable.Range(0, (int)(range[1] - range[0]) / 4).Select(k => BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)range[0] + 4 * k)))];
            byte[] bytes = dtype switch
            {
                "F64" => [.. values.SelectMany(v => BitConverter.GetBytes((double)v))],
                "F16" => [.. values.SelectMany(v => BitConverter.GetBytes((Half)v))],
                _ => [.. values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >>> 16)))],
            };
            tensors.Add((t.Name, dtype, [.. t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64())], bytes));
        }
        using VariationalAutoencoder imported = SafetensorsModel.Read(Build(tensors, header.GetProperty("__metadata__").GetRawText()), "converted.safetensors");
        Assert.Equal(Bits(model.Parameters), Bits(imported.Parameters));
    }

    [Fact]
    public void PyTorchExampleFileWithoutMetadataImportsAsReluBernoulli()
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 12, HiddenSizes = [7], LatentSize = 3 }, seed: 9);
        using VariationalAutoencoder imported = SafetensorsModel.Read(WithoutMetadata(Export(model)), "state_dict.safetensors");
        Assert.Equal(model.Config, imported.Config);
        Assert.Equal(Bits(model.Parameters), Bits(imported.Parameters));
    }

    [Fact]
    public void SharedVarianceIsTheNamedTensorAndFixedVarianceIsConfiguration()
    {
        using VariationalAutoencoder shared = TestModels.Random(Activation.Relu, Likelihood.Gaussian, 1, seed: 3, GaussianVariance.Shared);
        (JsonElement header, byte[] data) = Split(Export(shared));
        JsonElement tensor = header.GetProperty("decoder.shared_logvar");
        Assert.Equal([1], tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(shared.Parameters[shared.Layout["decoder.shared_logvar"].Offset], BinaryPrimitives.ReadSingleLittleEndian(Slice(data, tensor.GetProperty("data_offsets"))));
        Assert.False(header.TryGetProperty("decoder.logvar.weight", out _));
        Assert.Contains("gaussian_variance=Shared", header.GetProperty("__metadata__").GetProperty("vae.config").GetString());

        using VariationalAutoencoder fixedVariance = TestModels.Random(Activation.Relu, Likelihood.Gaussian, 1, seed: 3, GaussianVariance.Fixed);
        (header, _) = Split(Export(fixedVariance));
        Assert.DoesNotContain(header.EnumerateObject(), p => p.Name.Contains("logvar") && p.Name.StartsWith("decoder", StringComparison.Ordinal));
        string config = header.GetProperty("__metadata__").GetProperty("vae.config").GetString()!;
        Assert.Contains("gaussian_variance=Fixed", config);
        Assert.Contains("fixed_variance=0.037", config);

        using VariationalAutoencoder continuous = TestModels.Random(Activation.Relu, Likelihood.ContinuousBernoulli, 1, seed: 3);
        (header, _) = Split(Export(continuous)); // the PyTorch example's tensors: its module loads a continuous Bernoulli VAE too
        Assert.Equal("pytorch-example", header.GetProperty("__metadata__").GetProperty("vae.names").GetString());
        Assert.True(header.TryGetProperty("fc4.weight", out _));
    }

    [Theory]
    [MemberData(nameof(TestModels.Architectures), MemberType = typeof(TestModels))]
    public void FileWithoutMetadataImportsWithSettingsForWhatShapesCannotSay(Activation activation, Likelihood likelihood, GaussianVariance variance, int layers)
    {
        using VariationalAutoencoder model = TestModels.Random(activation, likelihood, layers, seed: 12, variance, minVariance: 0.002f);
        byte[] bare = WithoutMetadata(Export(model));
        var settings = new SafetensorsImportSettings
        {
            Activation = activation,
            Likelihood = likelihood == Likelihood.ContinuousBernoulli ? likelihood : null, // a Gaussian is known by its tensors
            MinVariance = 0.002f,
            FixedVariance = 0.037f,
        };
        using VariationalAutoencoder imported = SafetensorsModel.Read(bare, "state_dict.safetensors", settings);
        Assert.Equal(model.Config, imported.Config);
        Assert.Equal(Bits(model.Parameters), Bits(imported.Parameters));

        // Without settings: the sizes, likelihood family and variance mode still come from the tensors; ReLU and Bernoulli by default.
        using VariationalAutoencoder guessed = SafetensorsModel.Read(bare, "state_dict.safetensors");
        Assert.Equal(Activation.Relu, guessed.Config.Activation);
        Assert.Equal(model.Config.HiddenSizes, guessed.Config.HiddenSizes);
        Assert.Equal(likelihood == Likelihood.Gaussian ? Likelihood.Gaussian : Likelihood.Bernoulli, guessed.Config.Likelihood);
        if (likelihood == Likelihood.Gaussian) Assert.Equal(variance, guessed.Config.GaussianVariance);
    }

    [Fact]
    public void SettingsThatDisagreeWithTheFileAreRefusedNamingTheSetting()
    {
        using VariationalAutoencoder tanh = TestModels.Random(Activation.Tanh, Likelihood.Bernoulli, 1, seed: 3);
        byte[] file = Export(tanh);
        void Refused(byte[] bytes, SafetensorsImportSettings settings, string expected)
        {
            var e = Assert.Throws<InvalidDataException>(() => SafetensorsModel.Read(bytes, "m.safetensors", settings));
            Assert.StartsWith("m.safetensors: ", e.Message);
            Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"'{e.Message}' does not say '{expected}'");
        }
        // Metadata against settings: each disagreement names the setting; agreeing settings are accepted.
        Refused(file, new() { Activation = Activation.Relu }, "records activation Tanh, but Relu was asked for");
        Refused(file, new() { Likelihood = Likelihood.ContinuousBernoulli }, "records likelihood Bernoulli, but ContinuousBernoulli was asked for");
        Refused(file, new() { GaussianVariance = GaussianVariance.Shared }, "which has no Gaussian variance setting");
        using (VariationalAutoencoder agreed = SafetensorsModel.Read(file, "m.safetensors", new() { Activation = Activation.Tanh, Likelihood = Likelihood.Bernoulli }))
            Assert.Equal(tanh.Config, agreed.Config);
        using VariationalAutoencoder shared = TestModels.Random(Activation.Relu, Likelihood.Gaussian, 2, seed: 3, GaussianVariance.Shared);
        Refused(Export(shared), new() { MinVariance = 0.5f }, "records minimum variance 0.001, but 0.5 was asked for");
        Refused(Export(shared), new() { GaussianVariance = GaussianVariance.PerPixel }, "records Gaussian variance Shared, but PerPixel was asked for");

        // Tensors against settings, for files without metadata.
        Refused(WithoutMetadata(file), new() { Likelihood = Likelihood.Gaussian }, "hold a Bernoulli or continuous Bernoulli decoder, not the Gaussian one");
        Refused(WithoutMetadata(file), new() { GaussianVariance = GaussianVariance.Fixed }, "a Gaussian variance mode does not apply");
        Refused(WithoutMetadata(Export(shared)), new() { Likelihood = Likelihood.Bernoulli }, "so its decoder is Gaussian (decoder.mean), not the Bernoulli one");
        Refused(WithoutMetadata(Export(shared)), new() { GaussianVariance = GaussianVariance.PerPixel }, "make a Shared variance, not the PerPixel one asked for");
        using VariationalAutoencoder deep = TestModels.Random(Activation.Relu, Likelihood.Bernoulli, 2, seed: 3);
        Refused(WithoutMetadata(Export(deep)), new() { Likelihood = Likelihood.Gaussian }, "tensor 'decoder.logits.weight' is a Bernoulli or continuous Bernoulli decoder's head");
    }

    [Fact]
    public void LoadParametersReplacesTheWeightsOfAMatchingModelOnly()
    {
        string folder = TestModels.TempFolder();
        string path = Path.Combine(folder, "init.safetensors");
        using var source = new VariationalAutoencoder(new VaeConfig { InputSize = 12, HiddenSizes = [7], LatentSize = 3 }, seed: 9);
        SafetensorsModel.Write(source, path);
        using var target = new VariationalAutoencoder(source.Config with { Initialization = InitializationScheme.Paper }, seed: 1);
        SafetensorsModel.LoadParameters(path, target);
        Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));

        using var other = new VariationalAutoencoder(source.Config with { LatentSize = 4 }, seed: 1);
        float[] before = other.Parameters.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsModel.LoadParameters(path, other));
        Assert.Contains("12-7-3", e.Message);
        Assert.Equal(before, other.Parameters.ToArray());
    }

    // Every hostile header gives InvalidDataException naming the problem and the tensor.
    public static IEnumerable<object[]> MalformedFiles()
    {
        byte[] eight = new byte[8];
        object[] Case(string what, byte[] file, string expected) => [what, file, expected];
        yield return Case("too short", [1, 2, 3], "too short");
        yield return Case("header length beyond file", Raw(1000, "{}"), "beyond the file");
        yield return Case("huge header", Raw(200_000_000, "{}"), "exceeds the limit");
        yield return Case("not json", Raw(null, "{nope"), "not valid UTF-8 JSON");
        yield return Case("not an object", Raw(null, "[1,2]"), "must be a JSON object");
        yield return Case("trailing content", Raw(null, "{} {}"), "not valid UTF-8 JSON");
        byte[] badUtf8 = Raw(null, "{\"w?\":1}");
        badUtf8[11] = 0x9B; // a lone continuation byte inside the name
        yield return Case("invalid UTF-8", badUtf8, "not valid UTF-8 JSON");
        yield return Case("unknown dtype", Build([("w", "I64", [1], eight)]), "tensor 'w': dtype 'I64' is not supported");
        yield return Case("offsets out of range", Header("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", eight), "tensor 'w': data_offsets [0, 16] are outside the 8 data bytes");
        yield return Case("offsets reversed", Header("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", eight), "tensor 'w': data_offsets [8, 0]");
        yield return Case("overlap", Header("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", eight), "tensor 'b' (bytes 4..8) overlaps tensor 'a'");
        yield return Case("gap", Header("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", eight), "before tensor 'a' belong to no tensor");
        yield return Case("unused tail", Header("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", eight), "at the end belong to no tensor");
        yield return Case("shape does not match range", Header("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", eight), "tensor 'w': shape [3] of F32 needs 12 bytes");
        yield return Case("shape overflows", Header("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}""", eight), "tensor 'w': shape");
        yield return Case("negative dim", Header("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", eight), "tensor 'w': shape must hold non-negative");
        yield return Case("duplicate name", Header("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", eight), "tensor 'w' appears twice");
        yield return Case("duplicate key", Header("""{"w":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}""", eight), "tensor 'w': 'dtype' appears twice");
        yield return Case("missing offsets", Header("""{"w":{"dtype":"F32","shape":[2]}}""", eight), "tensor 'w': needs dtype, shape and data_offsets");
        yield return Case("metadata not strings", Header("""{"__metadata__":{"a":1}}""", []), "__metadata__ entry 'a' must be a string");
        yield return Case("no model config", Build([("w", "F32", [2], eight)]), "neither 'fc1.weight' (the PyTorch example's VAE) nor 'encoder.0.weight'");
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void MalformedFilesAreRefusedNamingTheProblem(string what, byte[] file, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsModel.Read(file, "bad.safetensors"));
        Assert.StartsWith("bad.safetensors: ", e.Message);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: '{e.Message}' does not say '{expected}'");
    }

    [Fact]
    public void ModelLevelProblemsNameTheTensor()
    {
        using var model = new VariationalAutoencoder(new VaeConfig { InputSize = 12, HiddenSizes = [7], LatentSize = 3 }, seed: 9);
        (JsonElement header, byte[] data) = Split(Export(model));
        string metadata = header.GetProperty("__metadata__").GetRawText();
        List<(string Name, string Dtype, long[] Shape, byte[] Bytes)> Tensors() => [.. header.EnumerateObject().Where(t => t.Name != "__metadata__").Select(t => (t.Name, "F32",
            t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), Slice(data, t.Value.GetProperty("data_offsets"))))];
        void Refused(List<(string, string, long[], byte[])> tensors, string expected, string? meta = null)
        {
            var e = Assert.Throws<InvalidDataException>(() => SafetensorsModel.Read(Build(tensors, meta ?? metadata), "m.safetensors"));
            Assert.Contains(expected, e.Message);
        }

        var missing = Tensors();
        missing.RemoveAll(t => t.Name == "fc22.bias");
        Refused(missing, "tensor 'fc22.bias' of a 12-7-3 relu bernoulli model is missing");

        var extra = Tensors();
        extra.Add(("fc5.weight", "F32", [1], new byte[4]));
        Refused(extra, "tensor 'fc5.weight' is not part of");

        var reshaped = Tensors();
        int at = reshaped.FindIndex(t => t.Name == "fc3.weight");
        reshaped[at] = reshaped[at] with { Shape = [3, 7] };
        Refused(reshaped, "tensor 'fc3.weight' has shape [3, 7]; a 12-7-3 relu bernoulli model needs [7, 3]");

        var infinite = Tensors();
        at = infinite.FindIndex(t => t.Name == "fc4.bias");
        BinaryPrimitives.WriteSingleLittleEndian(infinite[at].Bytes.AsSpan(8), float.PositiveInfinity);
        Refused(infinite, "tensor 'fc4.bias' element 2 is");

        var f64 = Tensors();
        at = f64.FindIndex(t => t.Name == "fc1.bias");
        f64[at] = (f64[at].Name, "F64", f64[at].Shape, [.. Enumerable.Range(0, 7).SelectMany(_ => BitConverter.GetBytes(1e300))]);
        Refused(f64, "tensor 'fc1.bias' element 0 is");

        Refused(Tensors(), "'layered'", metadata.Replace("pytorch-example", "layered"));
        Refused(Tensors(), "the model configuration is invalid", metadata.Replace("latent=3", "latent=0"));
    }

    internal static byte[] Export(VariationalAutoencoder model)
    {
        using var stream = new MemoryStream();
        SafetensorsModel.Write(model, stream);
        return stream.ToArray();
    }

    internal static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];

    internal static (JsonElement Header, byte[] Data) Split(byte[] file)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (JsonDocument.Parse(file.AsMemory(8, length)).RootElement, file[(8 + length)..]);
    }

    /// <summary>The same tensors without <c>__metadata__</c>, as PyTorch's <c>save_file(model.state_dict())</c> writes them.</summary>
    internal static byte[] WithoutMetadata(byte[] file)
    {
        (JsonElement header, byte[] data) = Split(file);
        return Build([.. header.EnumerateObject().Where(t => t.Name != "__metadata__").Select(t => (t.Name, "F32",
            t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            Slice(data, t.Value.GetProperty("data_offsets"))))], metadata: null);
    }

    private static byte[] Slice(byte[] data, JsonElement offsets)
    {
        long[] range = [.. offsets.EnumerateArray().Select(e => e.GetInt64())];
        return data[(int)range[0]..(int)range[1]];
    }

    /// <summary>A file with these tensors laid out in order (written independently of the library's writer).</summary>
    internal static byte[] Build(IReadOnlyList<(string Name, string Dtype, long[] Shape, byte[] Bytes)> tensors, string? metadata = null)
    {
        var header = new StringBuilder("{");
        if (metadata is not null) header.Append("\"__metadata__\":").Append(metadata);
        long offset = 0;
        foreach ((string name, string dtype, long[] shape, byte[] bytes) in tensors)
        {
            if (header.Length > 1) header.Append(',');
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(',', shape)}],\"data_offsets\":[{offset},{offset + bytes.Length}]}}");
            offset += bytes.Length;
        }
        return Header(header.Append('}').ToString(), [.. tensors.SelectMany(t => t.Bytes)]);
    }

    private static byte[] Header(string json, byte[] data) => Raw(null, json, data);

    /// <summary>8-byte length (the JSON's own unless given), the JSON, the data.</summary>
    private static byte[] Raw(long? declaredLength, string json, byte[]? data = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var file = new byte[8 + header.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteInt64LittleEndian(file, declaredLength ?? header.Length);
        header.CopyTo(file, 8);
        data?.CopyTo(file, 8 + header.Length);
        return file;
    }
}
