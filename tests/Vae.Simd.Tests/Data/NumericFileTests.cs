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
    public void MalformedNpyIsNamed(string header, int dataBytes, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Parse(Npy(header, new byte[dataBytes]), "bad.npy"));
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
