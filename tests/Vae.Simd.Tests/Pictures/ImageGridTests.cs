using Vae.Simd.Cli.Pictures;

namespace Vae.Simd.Tests.Pictures;

public class ImageGridTests
{
    [Fact]
    public void EachImageLandsInsideItsCell()
    {
        // Three 2x2 images with distinct values, two per row, padding 1.
        float[] images = [0f, 0.25f, 0.5f, 0.75f, 1f, 1f, 1f, 1f, 0.5f, 0.5f, 0.5f, 0.5f];
        (byte[] pixels, int width, int height) = ImageGrid.Tile(images, 3, 2, 2, columns: 2, padding: 1);
        Assert.Equal((7, 7), (width, height));
        Assert.Equal(new byte[] { 0, 64 }, pixels.AsSpan(1 * 7 + 1, 2).ToArray());
        Assert.Equal(new byte[] { 128, 191 }, pixels.AsSpan(2 * 7 + 1, 2).ToArray());
        Assert.Equal(255, pixels[1 * 7 + 4]);
        Assert.Equal(128, pixels[4 * 7 + 1]);
        Assert.Equal(32, pixels[4 * 7 + 4]); // the empty fourth cell is border colour
        Assert.Equal(32, pixels[0]);
        Assert.Throws<ArgumentException>(() => ImageGrid.Tile(images, 4, 2, 2, 2));
    }

    [Fact]
    public void ValuesOutsideTheUnitIntervalAndNaNAreClamped()
    {
        (byte[] pixels, _, _) = ImageGrid.Tile([-3f, 7f, float.NaN, 0.5f], 1, 2, 2, columns: 1, padding: 0);
        Assert.Equal(new byte[] { 0, 255, 0, 128 }, pixels);
    }

    [Fact]
    public void OriginalsSitDirectlyAboveTheirReconstructions()
    {
        // Five 1-value "images", three columns: rows of originals and reconstructions alternate.
        float[] originals = [1, 2, 3, 4, 5], reconstructions = [-1, -2, -3, -4, -5];
        (float[] tiles, int count) = ImageGrid.OriginalsAboveReconstructions(originals, reconstructions, 5, 1, columns: 3);
        Assert.Equal(12, count);
        Assert.Equal(new float[] { 1, 2, 3, -1, -2, -3, 4, 5, 0, -4, -5, 0 }, tiles);
        Assert.Throws<ArgumentException>(() => ImageGrid.OriginalsAboveReconstructions(originals, reconstructions[..4], 5, 1, 3));
    }
}
