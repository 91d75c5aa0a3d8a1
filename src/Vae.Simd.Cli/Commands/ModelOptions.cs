using System.Globalization;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli.Pictures;
using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary>Shared pieces of the commands that use a trained model.</summary>
internal static class ModelOptions
{
    public static readonly OptionSpec Model = new("model", "FILE", "The trained model (a checkpoint from vae train).", "model.vae");
    public static readonly OptionSpec Data = new("data", "mnist|fashion-mnist|PATH", "Data set, as for vae train.", "mnist");
    public static readonly OptionSpec Threads = new("threads", "N", "Threads.", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
    public static readonly OptionSpec Seed = new("seed", "N", "Seed of the random draws.", "1");

    public static VariationalAutoencoder Load(CommandLine options) => ModelCheckpoint.Load(options.RequiredString("model"));

    /// <summary>Side of the square images the model works on (28 for MNIST); 0 when the input is not a square.</summary>
    public static int ImageSide(VariationalAutoencoder model)
    {
        int side = (int)Math.Round(Math.Sqrt(model.InputSize));
        return side * side == model.InputSize ? side : 0;
    }

    public static int RequireImages(VariationalAutoencoder model, string command)
    {
        int side = ImageSide(model);
        return side > 0 ? side : throw new UsageException($"{command} draws square images, but this model's input has {model.InputSize} values.");
    }

    /// <summary>Tiles the images and writes them as one PNG (atomically), returning the picture's size.</summary>
    public static (int Width, int Height) WriteGrid(string path, ReadOnlySpan<float> images, int count, int side, int columns, int padding = 2)
    {
        (byte[] pixels, int width, int height) = ImageGrid.Tile(images, count, side, side, columns, padding);
        PngWriter.Write(path, pixels, width, height);
        return (width, height);
    }

    public static void CheckData(VariationalAutoencoder model, Dataset data)
    {
        if (data.Features != model.InputSize)
            throw new UsageException($"the data ({data.Source}) has {data.Features} values per example but the model takes {model.InputSize}.");
    }
}
