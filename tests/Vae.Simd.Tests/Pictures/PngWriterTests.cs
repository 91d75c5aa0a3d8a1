using Vae.Simd.Cli.Pictures;

namespace Vae.Simd.Tests.Pictures;

public class PngWriterTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, PngCrc32.Compute("123456789"u8));
        Assert.Equal(0xCBF43926u, BitwiseCrc32.Compute("123456789"u8));
        Assert.Equal(PngCrc32.Compute("123456789"u8), PngCrc32.Append(PngCrc32.Compute("1234"u8), "56789"u8));
    }

    /// <summary>Width, height, PNG colour type (0 grey, 2 RGB), filter (0-4, or -1 to let the writer choose per row).</summary>
    public static TheoryData<int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int color in new[] { 0, 2 })
            for (int filter = -1; filter <= 4; filter++)
                foreach ((int w, int h) in new[] { (1, 1), (7, 3), (33, 17) })
                    data.Add(w, h, color, filter);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RoundTripsThroughAnIndependentDecoderExactly(int width, int height, int colorType, int filterType)
    {
        var color = (PngColor)colorType;
        PngFilter? filter = filterType < 0 ? null : (PngFilter)filterType;
        int channels = color == PngColor.Rgb ? 3 : 1;
        var random = new Random(width * 31 + height);
        byte[] pixels = new byte[width * height * channels];
        // Half noise, half smooth gradient: filters see both kinds of rows.
        for (int i = 0; i < pixels.Length; i++) pixels[i] = i % 2 == 0 || (i / (width * channels)) % 3 == 0 ? (byte)random.Next(256) : (byte)(i * 7);
        (byte[] decoded, int w, int h, int c) = PngDecoder.DecodeAny(PngWriter.Encode(pixels, width, height, color, filter));
        Assert.Equal((width, height, channels), (w, h, c));
        Assert.Equal(pixels, decoded);
    }

    [Fact]
    public void TheFileHasSignatureIhdrIdatIendWithTheImageHeader()
    {
        byte[] png = PngWriter.Encode(new byte[6 * 2 * 3], 6, 2, PngColor.Rgb);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(new byte[] { 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 6, 0, 0, 0, 2, 8, 2, 0, 0, 0 }, png[8..29]);
        Assert.Equal("IDAT"u8.ToArray(), png[37..41]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82 }, png[^12..]);
    }

    [Fact]
    public void AdaptiveFilteringShrinksSmoothPictures()
    {
        const int Side = 128;
        var gradient = new byte[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++) gradient[y * Side + x] = (byte)(x + 2 * y);
        int adaptive = PngWriter.Encode(gradient, Side, Side).Length, unfiltered = PngWriter.Encode(gradient, Side, Side, filter: PngFilter.None).Length;
        Assert.True(adaptive < unfiltered, $"adaptive {adaptive} bytes, unfiltered {unfiltered}");
    }

    [Fact]
    public void ACorruptedByteIsCaughtByTheDecodersCrcCheck()
    {
        byte[] png = PngWriter.Encode([1, 2, 3, 4], 2, 2);
        for (int i = 8; i < png.Length; i++)
        {
            byte[] altered = (byte[])png.Clone();
            altered[i] ^= 0x04;
            Assert.ThrowsAny<Exception>(() => PngDecoder.Decode(altered));
        }
    }

    [Fact]
    public void WrongSizesAreRefusedAndFilesAreWrittenWhole()
    {
        Assert.Contains("not a 3x3 Grey image", Assert.Throws<ArgumentException>(() => PngWriter.Encode(new byte[8], 3, 3)).Message);
        Assert.Throws<ArgumentException>(() => PngWriter.Encode(new byte[9], 3, 3, PngColor.Rgb));
        Assert.Throws<ArgumentException>(() => PngWriter.Encode([], 0, 0));
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "grid.png");
        PngWriter.Write(path, [10, 20, 30, 40, 50, 60], 3, 2);
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50, 60 }, PngDecoder.Decode(File.ReadAllBytes(path)).Pixels);
        Assert.Single(Directory.GetFiles(folder));
    }
}
