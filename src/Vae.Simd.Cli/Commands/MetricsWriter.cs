using System.Text.Json;
using Vae.Simd.Training;

namespace Vae.Simd.Cli.Commands;

/// <summary>The metrics file of <c>vae train</c>: one JSON object per epoch, appended as the epoch ends.</summary>
internal static class MetricsWriter
{
    /// <summary>Appends the line of one finished epoch to <paramref name="path"/> in one write.</summary>
    public static void Append(string path, EpochSummary summary, double testElbo, Trainer trainer, int epochSize)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", summary.Epoch + 1);
            json.WriteNumber("examples_seen", (long)(summary.Epoch + 1) * epochSize);
            json.WriteNumber("step", trainer.Step);
            json.WriteNumber("train_elbo", Math.Round(summary.TrainElbo, 4));
            json.WriteNumber("test_elbo", Math.Round(testElbo, 4));
            json.WriteNumber("images_per_sec", Math.Round(summary.ImagesPerSecond, 1));
            json.WriteNumber("seconds", Math.Round(summary.Seconds, 3));
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        file.Write(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
