using Vae.Simd.Autodiff;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Autodiff;

/// <summary>GradCheck at the points where ReLU is not differentiable: re-checked with a smaller step, or reported, never a false failure nor a silent pass.</summary>
public class GradCheckKinkTests
{
    private static readonly double[] Weights = [0.75, -1.25, 0.5, 2.0];

    private static GradCheckFunction WeightedRelu => (tape, v) => OpCatalog.WeightedSum(tape, tape.Relu(v[0]), Weights);

    [Fact]
    public void APlainCentralDifferenceAcrossTheKinkIsWrong()
    {
        // Why the detection exists: with x 4e-6 from the kink and h = 1e-5, (relu(x+h) − relu(x−h)) / 2h = 0.7, not 1.
        const double x = 4e-6, h = 1e-5;
        Assert.Equal(0.7, (Math.Max(x + h, 0) - Math.Max(x - h, 0)) / (2 * h), 12);
    }

    [Fact]
    public void EntriesWithinTheStepOfTheKinkAreCheckedWithASmallerStep()
    {
        GradCheckReport report = GradCheck.Check(WeightedRelu, [new GradCheckInput("v", [4e-6, -3e-6, 0.5, -0.7], TensorShape.Vector(4))]);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(0, report.KinkCount);
        Assert.Equal(2, report.ReducedStepCount);
        Assert.Contains("2 entries checked with a smaller step", report.ToString());
    }

    [Fact]
    public void EntriesOnTheKinkAreReportedByOpAndElementAndNotCountedAsPassed()
    {
        GradCheckReport report = GradCheck.Check(WeightedRelu, [new GradCheckInput("v", [0, 2e-8, 0.5, -0.7], TensorShape.Vector(4))]);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal([0, 1], report.Inputs[0].Kinks.Select(k => k.Entry));
        Assert.Contains("Relu (op #0) element 0", report.Inputs[0].Kinks[0].Where);
        Assert.Contains("Relu (op #0) element 1", report.Inputs[0].Kinks[1].Where);
        Assert.Contains("[1] not checked: not differentiable within a step", report.ToString());
    }

    [Fact]
    public void AFusedLinearReluKinkIsTracedFromEveryInputThatMovesIt()
    {
        // Output column 0 has pre-activation 1·0.5 + 2·(−0.25) + 0 = 0 exactly; column 1 is 3.1, far from its kink.
        GradCheckInput[] inputs =
        [
            new("x", [1, 2], TensorShape.Matrix(1, 2)),
            new("W", [0.5, -0.25, 1, 1], TensorShape.Matrix(2, 2)),
            new("b", [0, 0.1], TensorShape.Vector(2)),
        ];
        GradCheckFunction f = (tape, v) => OpCatalog.WeightedSum(tape, tape.Linear(v[0], v[1], v[2], Activation.Relu), Weights);
        GradCheckReport report = GradCheck.Check(f, inputs);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal([0, 1], report.Inputs[0].Kinks.Select(k => k.Entry));
        Assert.Equal([0, 1], report.Inputs[1].Kinks.Select(k => k.Entry));
        Assert.Equal([0], report.Inputs[2].Kinks.Select(k => k.Entry));
        Assert.All(report.Inputs.SelectMany(i => i.Kinks), k => Assert.Contains("Linear(Relu) (op #0) element 0", k.Where));

        // The entries away from the kink are still checked: a 1% fault in one of them is caught.
        GradCheckReport faulty = GradCheck.Check(f, inputs, new GradCheckOptions(), analytic => analytic[1][2] *= 1.01);
        Assert.False(faulty.Passed, faulty.ToString());
        Assert.False(faulty.Inputs[1].Passed);
    }
}
