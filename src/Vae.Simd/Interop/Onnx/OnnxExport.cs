using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Files;
using Vae.Simd.Model;

namespace Vae.Simd.Interop.Onnx;

/// <summary>
/// Writes a model's encoder or decoder as a standard ONNX graph (opset 17): one <c>Gemm</c> (transB = 1,
/// so the weights keep PyTorch's [out × in] order) per layer, <c>Relu</c>/<c>Tanh</c> after hidden layers,
/// <c>Sigmoid</c> for Bernoulli probabilities, elementwise ops for the Gaussian's floored log variance and the
/// continuous Bernoulli's mean (see <see cref="OnnxPart.Decoder"/>); weights are initializers with raw data; the batch dimension
/// is dynamic (<c>batch</c>); the model's metadata holds <c>vae.part</c> and <c>vae.config</c>. ONNX Runtime,
/// and any other ONNX reader, runs it.
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX opset the graphs use.</summary>
    public const int OpsetVersion = 17;

    // onnx.proto: IR version 8 goes with opset 17; TensorProto.DataType FLOAT = 1; AttributeProto.AttributeType INT = 2.
    private const long IrVersion = 8;
    private const int FloatType = 1, IntAttribute = 2;

    /// <summary>Writes <paramref name="part"/> of <paramref name="model"/> to <paramref name="destination"/>.</summary>
    public static void Write(VariationalAutoencoder model, OnnxPart part, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(Build(model, part).Written);
    }

    /// <summary>Writes <paramref name="part"/> of <paramref name="model"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void Write(VariationalAutoencoder model, OnnxPart part, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ProtobufWriter message = Build(model, part);
        AtomicWrite.ToFile(path, stream => stream.Write(message.Written));
    }

    private static ProtobufWriter Build(VariationalAutoencoder model, OnnxPart part)
    {
        var layers = new ModelLayers(model.Config, model.Layout);
        var graph = new ProtobufWriter().String(2, $"vae-{part.ToString().ToLowerInvariant()}");
        ReadOnlySpan<float> parameters = model.Parameters;
        if (part == OnnxPart.Encoder)
        {
            string h = Hidden(graph, parameters, layers.EncoderHidden, "x");
            AddLayer(graph, parameters, layers.EncoderMean, h, "mean");
            AddLayer(graph, parameters, layers.EncoderLogVariance, h, "log_variance");
            graph.Message(11, Value("x", model.InputSize));
            graph.Message(12, Value("mean", model.LatentSize)).Message(12, Value("log_variance", model.LatentSize));
        }
        else if (part == OnnxPart.Decoder)
        {
            string h = Hidden(graph, parameters, layers.DecoderHidden, "z");
            graph.Message(11, Value("z", model.LatentSize));
            if (model.Config.Likelihood == Likelihood.Gaussian)
            {
                AddLayer(graph, parameters, layers.DecoderOutput, h, "mean");
                AddGaussianLogVariance(graph, parameters, model.Config, layers, h, "log_variance");
                graph.Message(12, Value("mean", model.InputSize)).Message(12, Value("log_variance", model.InputSize));
            }
            else
            {
                AddLayer(graph, parameters, layers.DecoderOutput, h, "logits");
                graph.Message(1, Node("Sigmoid", "probabilities", ["logits"], "probabilities"));
                graph.Message(12, Value("logits", model.InputSize)).Message(12, Value("probabilities", model.InputSize));
                if (model.Config.Likelihood == Likelihood.ContinuousBernoulli)
                {
                    AddContinuousBernoulliMean(graph, "logits", "mean");
                    graph.Message(12, Value("mean", model.InputSize));
                }
            }
        }
        else throw new ArgumentOutOfRangeException(nameof(part), $"Unknown ONNX part {part}.");

        // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8,
        // metadata_props = 14 (StringStringEntryProto: key = 1, value = 2), so a serving stack can tell what it holds.
        return new ProtobufWriter()
            .Int64(1, IrVersion)
            .String(2, "Vae.Simd")
            .String(3, typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, graph)
            .Message(8, new ProtobufWriter().String(1, "").Int64(2, OpsetVersion))
            .Message(14, new ProtobufWriter().String(1, "vae.part").String(2, part.ToString().ToLowerInvariant()))
            .Message(14, new ProtobufWriter().String(1, "vae.config").String(2, ModelCheckpoint.FormatConfig(model.Config)));
    }

    /// <summary>Adds the hidden layers after <paramref name="input"/>; returns the last one's output name.</summary>
    private static string Hidden(ProtobufWriter graph, ReadOnlySpan<float> parameters, IReadOnlyList<LinearLayer> hidden, string input)
    {
        foreach (LinearLayer layer in hidden)
        {
            string affine = AddLayer(graph, parameters, layer, input, $"{layer.Name}.affine");
            string op = layer.Activation switch
            {
                Activation.Relu => "Relu",
                Activation.Tanh => "Tanh",
                _ => throw new NotSupportedException($"ONNX export: no ONNX operator for activation {layer.Activation}."),
            };
            input = $"{layer.Name}.out";
            graph.Message(1, Node(op, $"{layer.Name}.{op.ToLowerInvariant()}", [affine], input));
        }
        return input;
    }

    /// <summary>Adds the layer's weight and bias as initializers and a Gemm node computing <paramref name="output"/>.</summary>
    private static string AddLayer(ProtobufWriter graph, ReadOnlySpan<float> parameters, LinearLayer layer, string input, string output)
    {
        string weight = $"{layer.Name}.weight", bias = $"{layer.Name}.bias";
        graph.Message(5, Initializer(weight, [layer.Outputs, layer.Inputs], parameters.Slice(layer.Weight.Offset, layer.Weight.Length)));
        graph.Message(5, Initializer(bias, [layer.Outputs], parameters.Slice(layer.Bias.Offset, layer.Bias.Length)));
        ProtobufWriter node = Node("Gemm", $"{layer.Name}.gemm", [input, weight, bias], output)
            .Message(5, new ProtobufWriter().String(1, "transB").Int64(3, 1).Int64(20, IntAttribute));
        graph.Message(1, node);
        return output;
    }

    /// <summary>
    /// The Gaussian decoder's log σ² [batch × input] as <c>VaeGraph.Decode</c> computes it: the per-pixel head, the one
    /// shared learned value, or the fixed log σ², the learned ones floored by <see cref="VaeConfig.MinVariance"/>;
    /// a single value is broadcast to the shape of the decoder's mean.
    /// </summary>
    private static void AddGaussianLogVariance(ProtobufWriter graph, ReadOnlySpan<float> parameters, VaeConfig config, ModelLayers layers, string h, string output)
    {
        bool floored = config.GaussianVariance != GaussianVariance.Fixed && config.MinVariance > 0;
        bool perPixel = layers.DecoderLogVariance is not null;
        string learned = floored ? "log_variance.head" : perPixel ? output : "log_variance.value";
        if (layers.DecoderLogVariance is { } head)
            AddLayer(graph, parameters, head, h, learned);
        else if (layers.SharedLogVariance is { } shared)
            graph.Message(5, Initializer(learned, [1], parameters.Slice(shared.Offset, shared.Length)));
        else // σ² is configuration, as the library's graph records it: log σ² in float.
            graph.Message(5, Initializer(learned, [1], [MathF.Log(config.FixedVariance)]));
        string value = learned;
        if (floored)
        {
            value = perPixel ? output : "log_variance.value";
            AddVarianceFloor(graph, learned, value, config.MinVariance);
        }
        if (!perPixel)
        {
            graph.Message(1, Node("Shape", "log_variance.shape", ["mean"], "log_variance.shape"));
            graph.Message(1, Node("Expand", "log_variance.broadcast", [value, "log_variance.shape"], output));
        }
    }

    /// <summary>
    /// <paramref name="output"/> = log(σ²_min + e^head) = c + softplus(head − c) with c = log σ²_min: the model's floored
    /// log variance (<see cref="VaeConfig.MinVariance"/>), as <c>VaeGraph.Decode</c> computes it.
    /// </summary>
    private static void AddVarianceFloor(ProtobufWriter graph, string head, string output, float minVariance)
    {
        const string LogFloor = "decoder.log_min_variance";
        graph.Message(5, Initializer(LogFloor, [1], [MathF.Log(minVariance)]));
        graph.Message(1, Node("Sub", "log_variance.shift", [head, LogFloor], "log_variance.shifted"));
        graph.Message(1, Node("Softplus", "log_variance.softplus", ["log_variance.shifted"], "log_variance.softplus"));
        graph.Message(1, Node("Add", "log_variance.floor", ["log_variance.softplus", LogFloor], output));
    }

    /// <summary>
    /// The continuous Bernoulli's mean E[x] = 1/(1 − e^−l) − 1/l from its logits, as
    /// <c>ContinuousBernoulliLogLikelihoodOp.Mean</c> computes it: that formula for |l| ≥ ½, and its Taylor series
    /// ½ + l/12 − l³/720 + l⁵/30240 − l⁷/1209600 below, where the formula cancels (<c>Where</c> picks per element).
    /// </summary>
    private static void AddContinuousBernoulliMean(ProtobufWriter graph, string logits, string output)
    {
        string Constant(string name, float value)
        {
            graph.Message(5, Initializer($"cb.{name}", [1], [value]));
            return $"cb.{name}";
        }
        void Add(string op, string name, params string[] inputs) => graph.Message(1, Node(op, $"cb.{name}", inputs, $"cb.{name}"));

        string one = Constant("one", 1f);
        Add("Neg", "negated", logits);
        Add("Exp", "exp", "cb.negated");
        Add("Sub", "expm1", "cb.exp", one);
        Add("Reciprocal", "inverse_expm1", "cb.expm1");
        Add("Reciprocal", "inverse_logits", logits);
        Add("Neg", "first", "cb.inverse_expm1");
        Add("Sub", "formula", "cb.first", "cb.inverse_logits");

        // Horner's scheme in u = l², in the library's order.
        Add("Mul", "u", logits, logits);
        Add("Mul", "c4u", "cb.u", Constant("c4", -1f / 1209600));
        Add("Add", "p3", "cb.c4u", Constant("c3", 1f / 30240));
        Add("Mul", "p3u", "cb.p3", "cb.u");
        Add("Add", "p2", "cb.p3u", Constant("c2", -1f / 720));
        Add("Mul", "p2u", "cb.p2", "cb.u");
        Add("Add", "p1", "cb.p2u", Constant("c1", 1f / 12));
        Add("Mul", "p1l", "cb.p1", logits);
        Add("Add", "series", "cb.p1l", Constant("half", 0.5f));

        Add("Abs", "magnitude", logits);
        Add("Less", "near_zero", "cb.magnitude", Constant("series_bound", (float)ContinuousBernoulliLogLikelihoodOp.SeriesBound));
        graph.Message(1, Node("Where", "cb.mean", ["cb.near_zero", "cb.series", "cb.formula"], output));
    }

    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    private static ProtobufWriter Node(string opType, string name, string[] inputs, string output)
    {
        var node = new ProtobufWriter();
        foreach (string input in inputs) node.String(1, input);
        return node.String(2, output).String(3, name).String(4, opType);
    }

    // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
    private static ProtobufWriter Initializer(string name, int[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new ProtobufWriter();
        foreach (int d in dims) tensor.Int64(1, d);
        return tensor.Int64(2, FloatType).String(8, name).Bytes(9, LittleEndian.Floats(values));
    }

    // ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }
    private static ProtobufWriter Value(string name, int columns)
    {
        var shape = new ProtobufWriter()
            .Message(1, new ProtobufWriter().String(2, "batch"))
            .Message(1, new ProtobufWriter().Int64(1, columns));
        var tensorType = new ProtobufWriter().Int64(1, FloatType).Message(2, shape);
        return new ProtobufWriter().String(1, name).Message(2, new ProtobufWriter().Message(1, tensorType));
    }
}
