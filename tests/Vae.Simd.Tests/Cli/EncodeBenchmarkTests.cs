using System.Text.Json;
using Vae.Simd.Cli;

namespace Vae.Simd.Tests.Cli;

public class EncodeBenchmarkTests
{
    [Fact]
    public void BenchEncodePrintsLatencyThroughputAndNoAllocation()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandRunner.Run(["bench", "encode", "--hidden", "16", "--batch", "37", "--reps", "3", "--json"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("encode", json.RootElement.GetProperty("benchmark").GetString());
        Assert.Equal(37, json.RootElement.GetProperty("batch").GetInt32());
        Assert.True(json.RootElement.GetProperty("single_us").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("batch_images_per_sec").GetDouble() > 0);
        Assert.Equal(0, json.RootElement.GetProperty("bytes_per_call").GetDouble());
    }

    [Fact]
    public void TheSyntheticImagesAreAsSparseAsMnist()
    {
        float[] images = Vae.Simd.Cli.Benchmarks.EncodeBenchmark.MnistLikeImages(200, seed: 3);
        double zeros = images.Count(v => v == 0f) / (double)images.Length;
        Assert.InRange(zeros, 0.80, 0.82);
        Assert.All(images, v => Assert.InRange(v, 0f, 1f));
    }
}
