using System.Globalization;
using Vae.Simd.Autodiff;
using Vae.Simd.Checkpoints;
using Vae.Simd.Cli.Pictures;
using Vae.Simd.Data;
using Vae.Simd.Model;

namespace Vae.Simd.Cli.Commands;

/// <summary>Shared pieces of the commands that use a trained model.</summary>
internal static class ModelOptions
{
    public static readonly OptionSpec Model = new("model", "FILE", "The trained model (a checkpoint from vae train).", "model.vae");
    public static readonly OptionSpec Data = new("data", "mnist|fashion-mnist|PATH",
        "Data set, as for vae train. Default: the data the model was trained on, as its checkpoint records (mnist for checkpoints that record none); other data of the same width gets a one-line warning.");
    public static readonly OptionSpec Split = new("split", "all|train|test",
        "Which rows: all of them, the training set or the test set (of a .csv/.npy file: the first nine tenths or the last tenth). Default: all rows of a file or folder named by --data; the test set of mnist, fashion-mnist and of the model's own training data.");
    public static readonly OptionSpec Threads = new("threads", "N", "Threads.", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
    public static readonly OptionSpec Seed = new("seed", "N", "Seed of the random draws.", "1");

    /// <summary><c>--activation relu|tanh</c>.</summary>
    public static Activation ParseActivation(CommandLine options) =>
        options.Choice("activation", "relu", "tanh") == "relu" ? Activation.Relu : Activation.Tanh;

    /// <summary><c>--likelihood bernoulli|gaussian|continuous-bernoulli</c>.</summary>
    public static Likelihood ParseLikelihood(CommandLine options) => options.Choice("likelihood", "bernoulli", "gaussian", "continuous-bernoulli") switch
    {
        "gaussian" => Likelihood.Gaussian,
        "continuous-bernoulli" => Likelihood.ContinuousBernoulli,
        _ => Likelihood.Bernoulli,
    };

    /// <summary><c>--gaussian-variance per-pixel|shared|fixed</c>.</summary>
    public static GaussianVariance ParseGaussianVariance(CommandLine options) => options.Choice("gaussian-variance", "per-pixel", "shared", "fixed") switch
    {
        "shared" => GaussianVariance.Shared,
        "fixed" => GaussianVariance.Fixed,
        _ => GaussianVariance.PerPixel,
    };

    /// <summary><c>--min-variance V</c>: the floor of a learned Gaussian variance.</summary>
    public static float ParseMinVariance(CommandLine options) => (float)options.Double("min-variance", 0, 1e6);

    /// <summary><c>--fixed-variance V</c>.</summary>
    public static float ParseFixedVariance(CommandLine options) => (float)options.Double("fixed-variance", 1e-12, 1e6);

    /// <summary>The model of <c>--model</c>, and the record of the data it was trained on (null for checkpoints that have none).</summary>
    public static VariationalAutoencoder Load(CommandLine options, out TrainingData? trainedOn)
    {
        Checkpoint file = Checkpoint.Read(options.RequiredString("model"));
        trainedOn = ModelCheckpoint.LoadTrainingData(file);
        return ModelCheckpoint.LoadModel(file);
    }

    /// <summary>
    /// The rows a command works on: <c>--data</c> (by default the model's training data) and <c>--split</c>.
    /// Warns in one line on <paramref name="log"/> when the data is not what the model was trained on.
    /// </summary>
    public static Dataset LoadData(CommandLine options, VariationalAutoencoder model, TrainingData? trainedOn, TextWriter log)
    {
        string modelPath = options.RequiredString("model");
        string? given = options.String("data");
        string data = given ?? trainedOn?.Source ?? "mnist";
        if (given is null && trainedOn is null)
            log.WriteLine($"note: {modelPath} does not record the data it was trained on; using mnist (--data chooses).");
        if (given is null && trainedOn is not null && !DataSources.IsNamed(data) && !File.Exists(data) && !Directory.Exists(data))
            throw new UsageException($"{modelPath} was trained on {data}, which is no longer there; say which data to use with --data.");

        DataPart part = options.Has("split")
            ? Enum.Parse<DataPart>(options.Choice("split", "all", "train", "test"), ignoreCase: true)
            : given is not null && !DataSources.IsNamed(given) ? DataPart.All : DataPart.Test;
        LoadedData loaded = DataSources.Load(data, log);
        Dataset rows = loaded.Select(part);
        CheckData(model, rows);
        if (trainedOn is not null && !trainedOn.SameFiles(loaded.FileSha256))
        {
            log.WriteLine(given is null
                ? $"warning: the files of {data} have changed since {modelPath} was trained on them."
                : $"warning: {modelPath} was trained on {trainedOn.Source} ({trainedOn.Examples} examples), not on {loaded.Name}; leave out --data to use its own data.");
        }
        return rows;
    }

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
    public static (int Width, int Height) WriteGrid(string path, ReadOnlySpan<float> images, int count, int side, int columns, int padding = 2) =>
        WriteGrid(path, images, count, side, columns, padding, [padding]);

    /// <summary>As above, with the gaps between rows of images given (see <see cref="ImageGrid.Tile(ReadOnlySpan{float}, int, int, int, int, int, ReadOnlySpan{int})"/>).</summary>
    public static (int Width, int Height) WriteGrid(string path, ReadOnlySpan<float> images, int count, int side, int columns, int padding, ReadOnlySpan<int> rowGaps)
    {
        (byte[] pixels, int width, int height) = ImageGrid.Tile(images, count, side, side, columns, padding, rowGaps);
        PngWriter.Write(path, pixels, width, height);
        return (width, height);
    }

    /// <summary>"trained on fashion-mnist (60000 examples)", or nothing when the checkpoint does not say, for output lines.</summary>
    public static string TrainedOn(TrainingData? trainedOn) => trainedOn is null ? "" : $", trained on {trainedOn.Source} ({trainedOn.Examples} examples)";

    public static void CheckData(VariationalAutoencoder model, Dataset data)
    {
        if (data.Features != model.InputSize)
            throw new UsageException($"the data ({data.Source}) has {data.Features} values per example but the model takes {model.InputSize}.");
    }
}
