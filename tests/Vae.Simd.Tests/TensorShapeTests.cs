using Vae.Simd.Tensors;

namespace Vae.Simd.Tests;

public class TensorShapeTests
{
    [Fact]
    public void MatrixViewOfRank3FoldsLeadingDimensions()
    {
        var shape = new TensorShape(2, 3, 5);
        Assert.Equal(30, shape.Length);
        Assert.Equal(6, shape.Rows);
        Assert.Equal(5, shape.Columns);
        Assert.Equal("[2x3x5]", shape.ToString());
    }

    [Fact]
    public void RejectsBadDimensions()
    {
        Assert.Throws<ArgumentException>(() => new TensorShape(2, 0));
        Assert.Throws<ArgumentException>(() => new TensorShape(1, 1, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => new TensorShape(100000, 100000));
    }
}
