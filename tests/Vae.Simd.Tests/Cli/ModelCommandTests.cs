using System.Xml.Linq;
using Vae.Simd.Cli;
using Vae.Simd.Data;
using Vae.Simd.Tests.Pictures;

namespace Vae.Simd.Tests.Cli;

/// <summary>The commands that use a trained model, on a small model trained once for the class.</summary>
public class ModelCommandTests : IClassFixture<ModelCommandTests.TrainedModel>
{
    public sealed class TrainedModel
    {
        public TrainedModel()
        {
            Folder = TestData.TempFolder();
            Model = Path.Combine(Folder, "m.vae");
            Metrics = Path.Combine(Folder, "metrics.jsonl");
            int code = CommandRunner.Run(["train", "--data", TestData.MnistFolder, "--limit", "2000", "--hidden", "64", "--latent", "2", "--epochs", "2",
                "--out", Model, "--metrics", Metrics, "--quiet"], TextWriter.Null, TextWriter.Null);
            Assert.Equal(0, code);
        }

        public string Folder { get; }
        public string Model { get; }
        public string Metrics { get; }
    }

    private readonly TrainedModel _trained;

    public ModelCommandTests(TrainedModel trained) => _trained = trained;

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Out(string name) => Path.Combine(_trained.Folder, name);

    [Fact]
    public void SampleWritesADecodablePngGrid()
    {
        Assert.Equal(0, Run("sample", "--model", _trained.Model, "--n", "9", "--out", Out("s.png")).Code);
        (byte[] pixels, int width, int height) = PngDecoder.Decode(File.ReadAllBytes(Out("s.png")));
        Assert.Equal((3 * 28 + 4 * 2, 3 * 28 + 4 * 2), (width, height));
        Assert.True(pixels.Distinct().Count() > 50, "the samples are not flat images"); // a weak model still draws shapes
    }

    [Fact]
    public void ReconstructPutsTheOriginalsAboveTheirReconstructions()
    {
        Assert.Equal(0, Run("reconstruct", "--model", _trained.Model, "--data", TestData.MnistFolder, "--split", "test", "--n", "4", "--out", Out("r.png")).Code);
        (byte[] pixels, int width, _) = PngDecoder.Decode(File.ReadAllBytes(Out("r.png")));
        // The first original (top-left cell) is test image 0, exactly.
        ImageDataset test = TestData.Mnist.Test;
        var original = new float[784];
        test.CopyBatch([0], original);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                Assert.Equal((byte)MathF.Round(original[y * 28 + x] * 255f), pixels[(2 + y) * width + 2 + x]);
    }

    [Fact]
    public void ManifoldDrawsTheGridForATwoDimensionalLatent()
    {
        Assert.Equal(0, Run("manifold", "--model", _trained.Model, "--grid", "5", "--out", Out("m.png")).Code);
        (_, int width, int height) = PngDecoder.Decode(File.ReadAllBytes(Out("m.png")));
        Assert.Equal((140, 140), (width, height));
    }

    [Fact]
    public void EncodeWritesMeansAndLogVariancesAsCsvAndNpy()
    {
        Assert.Equal(0, Run("encode", "--model", _trained.Model, "--data", TestData.MnistFolder, "--split", "test", "--out", Out("z.npy")).Code);
        (float[] values, int rows, int columns) = NpyFile.Read(Out("z.npy"));
        Assert.Equal((10000, 4), (rows, columns));
        Assert.Equal(0, Run("encode", "--model", _trained.Model, "--data", TestData.MnistFolder, "--split", "test", "--out", Out("z.csv")).Code);
        (float[] csv, _, _) = CsvFile.Read(Out("z.csv"));
        Assert.Equal(values, csv);
        Assert.Equal(2, Run("encode", "--model", _trained.Model, "--out", Out("z.txt")).Code);
    }

    [Fact]
    public void EvalReportsTheElboAndAHigherImportanceWeightedBound()
    {
        (int code, string output, _) = Run("eval", "--model", _trained.Model, "--data", TestData.MnistFolder, "--split", "test", "--iw", "200", "--iw-limit", "50");
        Assert.Equal(0, code);
        double Number(string after) => double.Parse(output[(output.IndexOf(after, StringComparison.Ordinal) + after.Length)..].Split(' ', ')')[0], System.Globalization.CultureInfo.InvariantCulture);
        double logPx = Number("log p(x) ≈ "), subsetElbo = Number("their ELBO is ");
        Assert.True(logPx > subsetElbo, output);
    }

    [Fact]
    public void PlotDrawsBothCurvesFromTheMetrics()
    {
        Assert.Equal(0, Run("plot", "--metrics", _trained.Metrics, "--out", Out("c.svg")).Code);
        XDocument svg = XDocument.Load(Out("c.svg"));
        Assert.Equal(2, svg.Descendants(XName.Get("polyline", "http://www.w3.org/2000/svg")).Count());
        File.WriteAllText(Out("bad.jsonl"), "{\"epoch\": 1}\n");
        (int code, _, string errors) = Run("plot", "--metrics", Out("bad.jsonl"), "--out", Out("bad.svg"));
        Assert.Equal(1, code);
        Assert.Contains("line 1", errors);
    }

    [Fact]
    public void DataImportsAndVerifiesALocalPackage()
    {
        string cache = Path.Combine(_trained.Folder, "cache");
        (int code, string output, string errors) = Run("data", "mnist", "--dir", cache, "--from", TestData.MnistPackage);
        Assert.True(code == 0, errors);
        Assert.Contains("60000 training and 10000 test images, verified", output);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(cache, "mnist")).Length);
    }

    [Fact]
    public void ModelCommandsRefuseAMissingOrMismatchedModel()
    {
        (int code, _, string errors) = Run("sample", "--model", Out("nope.vae"));
        Assert.Equal(1, code);
        Assert.Contains("nope.vae", errors);
        string csv = Out("wide.csv");
        File.WriteAllText(csv, "1,2,3\n4,5,6\n7,8,9\n");
        (code, _, errors) = Run("eval", "--model", _trained.Model, "--data", csv, "--iw", "0");
        Assert.Equal(2, code);
        Assert.Contains("784", errors);
    }
}
