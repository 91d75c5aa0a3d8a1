using Vae.Simd.Autodiff;
using Vae.Simd.Kernels;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Autodiff;

/// <summary>How an op's inputs are drawn: a shape rule and a value domain that respects the op.</summary>
public enum Domain { Any, Positive, AwayFromZero, Wide, Unit, LogVariance, NearZero }

/// <summary>One op under test: its inputs (shape as a function of the random sizes) and how to apply it.</summary>
public sealed record OpCase(string Name, (Func<Sizes, TensorShape> Shape, Domain Domain, bool Differentiable)[] Inputs, Func<Tape<double>, IReadOnlyList<Var>, Var> Apply)
{
    public override string ToString() => Name;
}

/// <summary>Random sizes for one case: rows n, columns c, and a second width d.</summary>
public sealed record Sizes(int N, int C, int D);

public static class OpCatalog
{
    private static TensorShape M(int r, int c) => TensorShape.Matrix(r, c);
    private static TensorShape V(int c) => TensorShape.Vector(c);

    public static readonly OpCase[] All =
    [
        new("Linear", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.D, s.C), Domain.Any, true), (s => V(s.D), Domain.Any, true)], (t, v) => t.Linear(v[0], v[1], v[2])),
        new("LinearRelu", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.D, s.C), Domain.Any, true), (s => V(s.D), Domain.Any, true)], (t, v) => t.Linear(v[0], v[1], v[2], Activation.Relu)),
        new("LinearTanh", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.D, s.C), Domain.Any, true), (s => V(s.D), Domain.Any, true)], (t, v) => t.Linear(v[0], v[1], v[2], Activation.Tanh)),
        new("MatMulNN", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.C, s.D), Domain.Any, true)], (t, v) => t.MatMul(v[0], v[1])),
        new("MatMulNT", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.D, s.C), Domain.Any, true)], (t, v) => t.MatMul(v[0], v[1], Transpose.No, Transpose.Yes)),
        new("MatMulTN", [(s => M(s.C, s.N), Domain.Any, true), (s => M(s.C, s.D), Domain.Any, true)], (t, v) => t.MatMul(v[0], v[1], Transpose.Yes, Transpose.No)),
        new("MatMulTT", [(s => M(s.C, s.N), Domain.Any, true), (s => M(s.D, s.C), Domain.Any, true)], (t, v) => t.MatMul(v[0], v[1], Transpose.Yes, Transpose.Yes)),
        new("Add", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Add(v[0], v[1])),
        new("AddRowBroadcast", [(s => M(s.N + 1, s.C), Domain.Any, true), (s => V(s.C), Domain.Any, true)], (t, v) => t.Add(v[0], v[1])),
        new("Subtract", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Subtract(v[0], v[1])),
        new("SubtractRowBroadcast", [(s => M(s.N + 1, s.C), Domain.Any, true), (s => V(s.C), Domain.Any, true)], (t, v) => t.Subtract(v[0], v[1])),
        new("Multiply", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Multiply(v[0], v[1])),
        new("MultiplyRowBroadcast", [(s => M(s.N + 1, s.C), Domain.Any, true), (s => V(s.C), Domain.Any, true)], (t, v) => t.Multiply(v[0], v[1])),
        new("Scale", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Scale(v[0], -1.75)),
        new("Exp", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Exp(v[0])),
        new("Log", [(s => M(s.N, s.C), Domain.Positive, true)], (t, v) => t.Log(v[0])),
        new("Tanh", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Tanh(v[0])),
        new("Relu", [(s => M(s.N, s.C), Domain.AwayFromZero, true)], (t, v) => t.Relu(v[0])),
        new("Sigmoid", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Sigmoid(v[0])),
        new("Softplus", [(s => M(s.N, s.C), Domain.Wide, true)], (t, v) => t.Softplus(v[0])),
        new("Square", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Square(v[0])),
        new("Sum", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Sum(v[0])),
        new("Mean", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.Mean(v[0])),
        new("RowSum", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.RowSum(v[0])),
        new("RowLogSumExp", [(s => M(s.N, s.C), Domain.Wide, true)], (t, v) => t.RowLogSumExp(v[0])),
        new("BernoulliLogLikelihood", [(s => M(s.N, s.C), Domain.Wide, true), (s => M(s.N, s.C), Domain.Unit, true)], (t, v) => t.BernoulliLogLikelihood(v[0], v[1])),
        new("GaussianLogLikelihood", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.LogVariance, true)], (t, v) => t.GaussianLogLikelihood(v[0], v[1], v[2])),
        new("StandardNormalLogDensity", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.StandardNormalLogDensity(v[0])),
        new("KlStandardNormal", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.LogVariance, true)], (t, v) => t.KlStandardNormal(v[0], v[1])),
        new("LogAddExp", [(s => M(s.N, s.C), Domain.Wide, true)], (t, v) => t.LogAddExp(v[0], -1.25)),
        new("GaussianLogLikelihoodSharedVariance", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.Any, true), (s => V(1), Domain.LogVariance, true)], (t, v) => t.GaussianLogLikelihood(v[0], v[1], v[2])),
        new("ContinuousBernoulliLogLikelihood", [(s => M(s.N, s.C), Domain.Wide, true), (s => M(s.N, s.C), Domain.Unit, true)], (t, v) => t.ContinuousBernoulliLogLikelihood(v[0], v[1])),
        // Logits within the series' range (λ near ½), where the closed form of log C cancels.
        new("ContinuousBernoulliLogLikelihoodNearHalf", [(s => M(s.N, s.C), Domain.NearZero, true), (s => M(s.N, s.C), Domain.Unit, true)], (t, v) => t.ContinuousBernoulliLogLikelihood(v[0], v[1])),
        new("Reparameterize", [(s => M(s.N, s.C), Domain.Any, true), (s => M(s.N, s.C), Domain.LogVariance, true), (s => M(s.N, s.C), Domain.Any, false)], (t, v) => t.Reparameterize(v[0], v[1], v[2])),
        new("RepeatRows", [(s => M(s.N, s.C), Domain.Any, true)], (t, v) => t.RepeatRows(v[0], 3)),
        // The importance-weighted bound's log-mean-exp: a vector of n·k log weights viewed as [n × k] (a Reshape view shares the gradient buffer).
        new("RowLogSumExpOfReshapedVector", [(s => V(s.N * s.C), Domain.Wide, true)], (t, v) => t.RowLogSumExp(t.Reshape(v[0], ReshapedShape(t.Shape(v[0]).Length)))),
    ];

    /// <summary>A vector of <paramref name="length"/> log weights seen as rows of 3 or 2 samples (one row when neither divides it).</summary>
    public static TensorShape ReshapedShape(int length) => length % 3 == 0 ? M(length / 3, 3) : length % 2 == 0 ? M(length / 2, 2) : M(1, length);

    public static IEnumerable<object[]> Names() => All.Select(c => new object[] { c.Name });

    /// <summary>Every differentiable input of every op, as (op name, input index).</summary>
    public static IEnumerable<object[]> Inputs() =>
        All.SelectMany(c => c.Inputs.Select((spec, i) => (spec, i)).Where(p => p.spec.Differentiable).Select(p => new object[] { c.Name, p.i }));

    public static OpCase Find(string name) => All.Single(c => c.Name == name);

    public static double Draw(Random random, Domain domain) => domain switch
    {
        Domain.Positive => 0.1 + 2.9 * random.NextDouble(),
        Domain.AwayFromZero => (random.Next(2) == 0 ? -1 : 1) * (0.05 + 2 * random.NextDouble()),
        Domain.Wide => (random.NextDouble() * 2 - 1) * (random.Next(4) == 0 ? 25 : 4),
        Domain.Unit => random.NextDouble(),
        Domain.LogVariance => (random.NextDouble() * 2 - 1) * 2,
        Domain.NearZero => (random.NextDouble() * 2 - 1) * 0.6,
        _ => (random.NextDouble() * 2 - 1) * 1.5,
    };

    /// <summary>
    /// The case's inputs at random sizes, and a scalar function of them: the op's output weighted by fixed
    /// random coefficients and summed, so every output entry sends back a different gradient.
    /// </summary>
    public static (GradCheckInput[] Inputs, GradCheckFunction Function) Instantiate(OpCase op, Sizes sizes, int seed)
    {
        var random = new Random(seed);
        GradCheckInput[] inputs = op.Inputs.Select((spec, i) =>
        {
            TensorShape shape = spec.Shape(sizes);
            double[] values = Enumerable.Range(0, shape.Length).Select(_ => Draw(random, spec.Domain)).ToArray();
            return new GradCheckInput($"{op.Name}.input{i}", values, shape, spec.Differentiable);
        }).ToArray();
        var weightRandom = new Random(seed ^ 0x5bd1e995);
        double[] weights = Enumerable.Range(0, 4096).Select(_ => weightRandom.NextDouble() * 2 - 1).ToArray();
        GradCheckFunction function = (tape, vars) => WeightedSum(tape, op.Apply(tape, vars), weights);
        return (inputs, function);
    }

    public static Var WeightedSum<T>(Tape<T> tape, Var output, double[] weights) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        TensorShape shape = tape.Shape(output);
        if (shape.Length == 1) return output;
        Var w = tape.Input(shape);
        Span<T> wv = tape.Value(w);
        for (int i = 0; i < wv.Length; i++) wv[i] = T.CreateChecked(weights[i % weights.Length]);
        return tape.Sum(tape.Multiply(output, w));
    }
}
