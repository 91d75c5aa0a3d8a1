using Vae.Simd.Autodiff;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Autodiff;

/// <summary>The README's GradCheck example, verbatim, so the documentation cannot rot.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void GradCheckExampleFromTheReadmePasses()
    {
        GradCheckReport report = GradCheck.Check(
            (tape, v) => tape.Sum(tape.Linear(v[0], v[1], v[2], Activation.Tanh)),
            [
                new GradCheckInput("x", [0.5, -1, 2, 0.25, 1, -0.5], TensorShape.Matrix(2, 3)),
                new GradCheckInput("W", [0.1, 0.2, -0.3, 0.4, -0.5, 0.6], TensorShape.Matrix(2, 3)),
                new GradCheckInput("b", [0.01, -0.02], TensorShape.Vector(2)),
            ]);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(3, report.Inputs.Count);
        Assert.Contains("passed", report.ToString());
    }
}
