using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Vae.Simd.Interop.Onnx;
using Vae.Simd.Model;

namespace Vae.Simd.Bench;

/// <summary>
/// Our <c>Encode</c> against ONNX Runtime running the same encoder exported by <see cref="OnnxExport"/>,
/// both on one thread, on images as sparse as MNIST (81 % exact zeros), for 1 and 1,000 images a call.
/// ONNX Runtime runs with preallocated input and output tensors (no allocation per call on its managed side).
/// <c>VaeSimdEncodeThroughGemm</c> is our previous path (dense GEMMs with zero-step skipping), for before/after in one run.
/// </summary>
[MemoryDiagnoser]
public class EncodeVsOnnxRuntimeBenchmarks
{
    private VariationalAutoencoder _model = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue[] _inputs = [], _outputs = [];
    private string[] _inputNames = [], _outputNames = [];
    private float[] _x = [], _mean = [], _logVariance = [], _ortMean = [], _ortLogVariance = [];

    /// <summary>Images per call.</summary>
    [Params(1, 1000)]
    public int Batch { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _model = new VariationalAutoencoder(new VaeConfig(), 1);
        var random = new Random(1);
        _x = new float[Batch * 784];
        for (int i = 0; i < _x.Length; i++) _x[i] = random.NextDouble() < 0.81 ? 0f : (float)(1.0 - random.NextDouble());
        _mean = new float[Batch * 20];
        _logVariance = new float[Batch * 20];
        _ortMean = new float[Batch * 20];
        _ortLogVariance = new float[Batch * 20];

        using var stream = new MemoryStream();
        OnnxExport.Write(_model, OnnxPart.Encoder, stream);
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _session = new InferenceSession(stream.ToArray(), options);
        _runOptions = new RunOptions();
        _inputNames = [.. _session.InputMetadata.Keys];
        _outputNames = [.. _session.OutputMetadata.Keys];
        _inputs = [OrtValue.CreateTensorValueFromMemory(_x, [Batch, 784])];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_ortMean, [Batch, 20]), OrtValue.CreateTensorValueFromMemory(_ortLogVariance, [Batch, 20])];
        if (_outputNames.Length != 2) throw new InvalidOperationException($"the exported encoder has outputs {string.Join(", ", _outputNames)}; expected mean and log variance");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (OrtValue value in _inputs.Concat(_outputs)) value.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void VaeSimdEncode() => _model.Encode(_x, _mean, _logVariance);

    /// <summary>The same encoder through the graph's GEMMs (the path <c>Encode</c> took before the transposed copies): the same bits for 3+ rows.</summary>
    [Benchmark]
    public void VaeSimdEncodeThroughGemm() => _model.EncodeThroughGraph(_x, _mean, _logVariance);

    [Benchmark]
    public void OnnxRuntimeEncode() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
}
