using Vae.Simd.Data;

namespace Vae.Simd.Tests.Data;

public class NumericFileTests
{
    [Fact]
    public void NpyRoundTripsAndReadsOtherDtypes()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "a.npy");
        float[] values = [1.5f, -2f, 3.25f, 0f, 1e-30f, 7f];
        NpyFile.Write(path, values, 2, 3);
        (float[] read, int rows, int columns) = NpyFile.Read(path);
        Assert.Equal((2, 3), (rows, columns));
        Assert.Equal(values, read);
        Assert.Equal(0, (File.ReadAllBytes(path).Length - 4 * 6) % 64); // header padded to 64 bytes as NumPy does

        byte[] u8 = Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", [1, 2, 3, 255]);
        Assert.Equal(new float[] { 1, 2, 3, 255 }, NpyFile.Parse(u8, "u8.npy").Values);
        byte[] f8 = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", [.. BitConverter.GetBytes(0.5), .. BitConverter.GetBytes(-4.0)]);
        Assert.Equal(new float[] { 0.5f, -4f }, NpyFile.Parse(f8, "f8.npy").Values);
    }

    private static byte[] Npy(string header, byte[] data)
    {
        header += "\n";
        return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(header), .. data];
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", 4, "Fortran")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4, "big-endian")]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 8, "dtype")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000), }", 4, "needs")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, "needs 8 data bytes")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", 4, "3-D")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4, "0-D")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0, "shape entry '4294967296' is not a size")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647), }", 0, "needs")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", 0, "is empty")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4, "'-1' is not a size")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", 4, "no readable 'shape'")]
    [InlineData("{'fortran_order': False, 'shape': (1,), }", 4, "no readable 'descr'")]
    [InlineData("{'descr': '<f4', 'shape': (1,), }", 4, "no readable 'fortran_order'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", 4, "needs 8 data bytes but the file has 4")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4, "row 2, column 1 is NaN")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8, "outside the float32 range")]
    public void MalformedNpyIsNamed(string header, int dataBytes, string problem)
    {
        byte[] data = new byte[dataBytes];
        if (problem.Contains("NaN")) BitConverter.GetBytes(float.NaN).CopyTo(data, 0);
        if (problem.Contains("float32 range")) BitConverter.GetBytes(1e300).CopyTo(data, 0);
        if (problem.Contains("row 2")) { BitConverter.GetBytes(1f).CopyTo(data, 0); data = [.. data, .. BitConverter.GetBytes(float.NaN)]; }
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Parse(Npy(header, data), "bad.npy"));
        Assert.StartsWith("bad.npy:", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void CsvRoundTripsAndNamesBadCells()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "a.csv");
        float[] values = [0.1f, 2f, -3.5f, 1e-7f];
        CsvFile.Write(path, values, 2, 2, ["a", "b"]);
        (float[] read, int rows, int columns) = CsvFile.Read(path);
        Assert.Equal((2, 2), (rows, columns));
        Assert.Equal(values, read);

        File.WriteAllText(path, "1,2\n3,x\n");
        Assert.Contains("line 2, column 2", Assert.Throws<InvalidDataException>(() => CsvFile.Read(path)).Message);
        File.WriteAllText(path, "1,2\n3\n");
        Assert.Contains("line 2 has 1 columns", Assert.Throws<InvalidDataException>(() => CsvFile.Read(path)).Message);
        Assert.Contains("row 1, column 2", Assert.Throws<InvalidDataException>(() => new DenseDataset([1f, float.NaN], 1, 2, "nan.csv")).Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, "bad magic or shorter than 10 bytes")]
    [InlineData(new byte[] { 0x93, (byte)'X', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0, 0 }, "bad magic")]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 4, 0, 0, 0 }, "version 4 is not supported")]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0xFF, 0xFF, 1, 2 }, "the header needs 65545 bytes, the file has 12")]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0, 0, 0, 0x10 }, "header length 268435456 is implausible")]
    public void MalformedNpyPreamblesAreNamed(byte[] bytes, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Parse(bytes, "pre.npy"));
        Assert.StartsWith("pre.npy: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void NpyVersion2HeadersAndOneDimensionalArraysAreRead()
    {
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n";
        byte[] bytes = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, (byte)header.Length, 0, 0, 0,
            .. System.Text.Encoding.ASCII.GetBytes(header), .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(-2f), .. BitConverter.GetBytes(0.25f)];
        (float[] values, int rows, int columns) = NpyFile.Parse(bytes, "v2.npy");
        Assert.Equal((3, 1), (rows, columns));
        Assert.Equal(new[] { 1f, -2f, 0.25f }, values);
    }

    [Fact]
    public void ALyingNpyHeaderIsRefusedBeforeAllocating()
    {
        byte[] bytes = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 10000), }", new byte[64]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("needs 8000000000 data bytes but the file has 64", Assert.Throws<InvalidDataException>(() => NpyFile.Parse(bytes, "lie.npy")).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000);
    }

    [Fact]
    public void NpyRoundTripsRandomShapes()
    {
        string path = Path.Combine(TestData.TempFolder(), "r.npy");
        var random = new Random(3);
        foreach ((int rows, int columns) in new[] { (1, 1), (1, 17), (33, 1), (7, 5) })
        {
            float[] values = [.. Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() * 200 - 100))];
            NpyFile.Write(path, values, rows, columns);
            (float[] read, int readRows, int readColumns) = NpyFile.Read(path);
            Assert.Equal((rows, columns), (readRows, readColumns));
            Assert.Equal(values, read);
        }
    }

    [Fact]
    public void CsvHeadersAreDetectedAndBlankLinesSkipped()
    {
        string path = Path.Combine(TestData.TempFolder(), "h.csv");
        File.WriteAllText(path, "1.5, -2\r\n\r\n3e2,4\r\n");
        (float[] values, int rows, int columns) = CsvFile.Read(path);
        Assert.Equal((2, 2), (rows, columns));
        Assert.Equal(new[] { 1.5f, -2f, 300f, 4f }, values);
        File.WriteAllText(path, "x,y\n1,2\n");
        (values, rows, columns) = CsvFile.Read(path);
        Assert.Equal((1, 2), (rows, columns));
        Assert.Equal(new[] { 1f, 2f }, values);
    }

    [Theory]
    [InlineData("1,2\nNaN,4\n", "line 2, column 1: 'NaN' is not a finite float32 number")]
    [InlineData("a,b\n1,2\n3,Infinity\n", "line 3, column 2: 'Infinity' is not a finite")]
    [InlineData("1,2\n3,1e39\n", "line 2, column 2: '1e39' is not a finite")]
    [InlineData("1,2\n3,4,\n", "line 2 has 3 columns; earlier rows have 2")]
    [InlineData("1,2\n3,\n", "line 2, column 2: '' is not a number")]
    [InlineData("1,2\n3;4,5\n", "line 2, column 1: '3;4' is not a number")]
    [InlineData("a,b\n", "no rows of numbers")]
    [InlineData("", "no rows of numbers")]
    public void BadCsvIsNamedWithLineAndColumn(string text, string problem)
    {
        string path = Path.Combine(TestData.TempFolder(), "bad.csv");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InvalidDataException>(() => CsvFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void CsvWriterChecksItsArgumentsAndLeavesNothingOnFailure()
    {
        string folder = TestData.TempFolder();
        string path = Path.Combine(folder, "w.csv");
        Assert.Throws<ArgumentException>(() => CsvFile.Write(path, [1f, 2f, 3f], 2, 2));
        Assert.Throws<ArgumentException>(() => CsvFile.Write(path, [1f, 2f], 1, 2, ["only one"]));
        Assert.Empty(Directory.GetFiles(folder));
    }
}

public class ByteScalingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(784)]
    public void ScalesEveryByteValueExactlyAsTheScalarFormula(int length)
    {
        byte[] bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 37)).ToArray();
        var floats = new float[length];
        ImageDataset.ScaleBytes(bytes, floats);
        for (int i = 0; i < length; i++) Assert.Equal(bytes[i] * (1f / 255f), floats[i]);
    }
}
