namespace Vae.Simd.Cli.Pictures;

/// <summary>Tiles images of [0, 1] floats into one greyscale picture with a padding border, as sample grids are shown.</summary>
internal static class ImageGrid
{
    /// <summary>
    /// Lays out <paramref name="count"/> images of height × width (row-major floats, one after another) in
    /// rows of <paramref name="columns"/>, with <paramref name="padding"/> pixels between them.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height) Tile(ReadOnlySpan<float> images, int count, int height, int width, int columns, int padding = 2)
    {
        if (count < 1 || images.Length != count * height * width)
            throw new ArgumentException($"ImageGrid: {images.Length} values are not {count} images of {height}x{width}.");
        columns = Math.Clamp(columns, 1, count);
        int rows = (count + columns - 1) / columns;
        int gridWidth = columns * width + (columns + 1) * padding, gridHeight = rows * height + (rows + 1) * padding;
        var pixels = new byte[gridWidth * gridHeight];
        Array.Fill(pixels, (byte)32); // dark grey border
        for (int i = 0; i < count; i++)
        {
            int top = padding + i / columns * (height + padding), left = padding + i % columns * (width + padding);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    float v = images[i * height * width + y * width + x];
                    pixels[(top + y) * gridWidth + left + x] = (byte)Math.Clamp(MathF.Round((float.IsNaN(v) ? 0 : v) * 255f), 0, 255);
                }
        }
        return (pixels, gridWidth, gridHeight);
    }

    /// <summary>
    /// Arranges <paramref name="count"/> originals and their reconstructions for <see cref="Tile"/> with
    /// <paramref name="columns"/> columns: each row of originals directly above the row of their
    /// reconstructions; unused cells of a last, partial row are blank (0).
    /// </summary>
    /// <returns>The images in tile order and how many tiles there are.</returns>
    public static (float[] Images, int Count) OriginalsAboveReconstructions(ReadOnlySpan<float> originals, ReadOnlySpan<float> reconstructions, int count, int imageSize, int columns)
    {
        if (count < 1 || imageSize < 1 || columns < 1 || originals.Length != count * imageSize || reconstructions.Length != originals.Length)
            throw new ArgumentException($"ImageGrid: {originals.Length} originals and {reconstructions.Length} reconstructions are not {count} images of {imageSize} values each (columns {columns}).");
        int rows = (count + columns - 1) / columns;
        var tiles = new float[2 * rows * columns * imageSize];
        for (int i = 0; i < count; i++)
        {
            int row = i / columns, column = i % columns;
            originals.Slice(i * imageSize, imageSize).CopyTo(tiles.AsSpan((2 * row * columns + column) * imageSize));
            reconstructions.Slice(i * imageSize, imageSize).CopyTo(tiles.AsSpan(((2 * row + 1) * columns + column) * imageSize));
        }
        return (tiles, 2 * rows * columns);
    }
}
