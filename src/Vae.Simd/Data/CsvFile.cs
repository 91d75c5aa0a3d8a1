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
    /// <exception cref="InvalidDataException">A value is not a finite number, or a row has another number of columns; the message gives line and column.</exception>
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
                if (!float.IsFinite(v)) // "NaN", "Infinity", or a number beyond the float32 range such as 1e39
                    throw new InvalidDataException($"{path}: line {lineNumber}, column {c + 1}: '{cells[c].Trim()}' is not a finite float32 number; data must be finite.");
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
        if (rows < 0 || columns < 1 || (long)rows * columns != values.Length) throw new ArgumentException($"CsvFile: {values.Length} values are not {rows}x{columns}.");
        if (header is not null && header.Count != columns) throw new ArgumentException($"CsvFile: {header.Count} header names for {columns} columns.");
        float[] copy = values.ToArray(); // the lambda below cannot capture a span
        AtomicWrite.ToFile(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            if (header is not null) writer.WriteLine(string.Join(',', header));
            Span<char> number = stackalloc char[32];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    if (c > 0) writer.Write(',');
                    copy[r * columns + c].TryFormat(number, out int written, "R", CultureInfo.InvariantCulture);
                    writer.Write(number[..written]);
                }
                writer.WriteLine();
            }
        });
    }
}
