namespace Vae.Simd.Cli.Pictures;

/// <summary>Tiles images of [0, 1] floats into one greyscale picture with a padding border, as sample grids are shown.</summary>
internal static class ImageGrid
{
    /// <summary>
    /// Lays out <paramref name="count"/> images of height × width (row-major floats, one after another) in
    /// rows of <paramref name="columns"/>, with <paramref name="padding"/> pixels around and between them.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height) Tile(ReadOnlySpan<float> images, int count, int height, int width, int columns, int padding = 2) =>
        Tile(images, count, height, width, columns, padding, [padding]);

    /// <summary>
    /// As <see cref="Tile(ReadOnlySpan{float}, int, int, int, int, int)"/>, with the gap below row r of
    /// images <paramref name="rowGaps"/>[r mod its length] pixels tall (the border stays <paramref name="padding"/>).
    /// </summary>
    public static (byte[] Pixels, int Width, int Height) Tile(ReadOnlySpan<float> images, int count, int height, int width, int columns, int padding, ReadOnlySpan<int> rowGaps)
    {
        if (count < 1 || images.Length != count * height * width)
            throw new ArgumentException($"ImageGrid: {images.Length} values are not {count} images of {height}x{width}.");
        if (rowGaps.IsEmpty) throw new ArgumentException("ImageGrid: at least one row gap is needed.", nameof(rowGaps));
        columns = Math.Clamp(columns, 1, count);
        int rows = (count + columns - 1) / columns;
        var rowTops = new int[rows];
        int y0 = padding;
        for (int r = 0; r < rows; r++)
        {
            rowTops[r] = y0;
            y0 += height + (r + 1 < rows ? rowGaps[r % rowGaps.Length] : padding);
        }
        int gridWidth = columns * width + (columns + 1) * padding, gridHeight = y0;
        var pixels = new byte[gridWidth * gridHeight];
        Array.Fill(pixels, (byte)32); // dark grey border
        for (int i = 0; i < count; i++)
        {
            int top = rowTops[i / columns], left = padding + i % columns * (width + padding);
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
    /// <paramref name="columns"/> columns: each row of originals above the row of their reconstructions
    /// (tile them with <see cref="PairGaps"/>); unused cells of a last, partial row are blank (0).
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

    /// <summary>
    /// Row gaps for <see cref="OriginalsAboveReconstructions"/>: a visible gap between a row of originals
    /// and its row of reconstructions, and a wider one before the next pair, so each pair reads as one.
    /// </summary>
    public static ReadOnlySpan<int> PairGaps => [6, 14];
}
