using Vae.Simd.Files;
using System.Globalization;
using System.Text;

namespace Vae.Simd.Data;

/// <summary>
/// Comma-separated rows of numbers, one example per line; a first line that is not numeric is taken as a
/// header. Every row must have the same number of columns.
/// </summary>
public static class CsvFile
{
    /// <summary>Reads a CSV file of numbers.</summary>
    /// <exception cref="InvalidDataException">A value is not a number, or a row has another number of columns; the message gives line and column.</exception>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        var values = new List<float>();
        int columns = -1, rows = 0, lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] cells = line.Split(',');
            if (columns < 0 && lineNumber == 1 && !float.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                continue; // header
            if (columns < 0) columns = cells.Length;
            else if (cells.Length != columns)
                throw new InvalidDataException($"{path}: line {lineNumber} has {cells.Length} columns; earlier rows have {columns}.");
            for (int c = 0; c < cells.Length; c++)
            {
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new InvalidDataException($"{path}: line {lineNumber}, column {c + 1}: '{cells[c].Trim()}' is not a number.");
                values.Add(v);
            }
            rows++;
        }
        if (rows == 0) throw new InvalidDataException($"{path}: no rows of numbers.");
        return (values.ToArray(), rows, columns);
    }

    /// <summary>Writes rows of floats as CSV (round-trippable, invariant culture) atomically.</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int rows, int columns, IReadOnlyList<string>? header = null)
    {
        if ((long)rows * columns != values.Length) throw new ArgumentException($"CsvFile: {values.Length} values are not {rows}x{columns}.");
        var text = new StringBuilder();
        if (header is not null) text.AppendLine(string.Join(',', header));
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                if (c > 0) text.Append(',');
                text.Append(values[r * columns + c].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        AtomicWrite.ToFile(path, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
