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

    [Fact]
    public void SameShapeCheckNamesBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.RequireSameShape(new Tensor(2, 3), new Tensor(3, 2), "Add"));
        Assert.Contains("[2x3]", e.Message);
        Assert.Contains("[3x2]", e.Message);
    }

    [Fact]
    public void ViewSharesStorageWithItsOwner()
    {
        var flat = new float[12];
        var view = new Tensor(flat.AsMemory(4, 6), new TensorShape(2, 3));
        view[1, 2] = 7f;
        Assert.Equal(7f, flat[4 + 5]);
        Assert.Throws<ArgumentException>(() => new Tensor(flat.AsMemory(0, 5), new TensorShape(2, 3)));
    }
}
