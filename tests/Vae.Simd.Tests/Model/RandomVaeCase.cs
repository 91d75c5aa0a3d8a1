using Vae.Simd.Autodiff;
using Vae.Simd.Model;
using Vae.Simd.Tensors;

namespace Vae.Simd.Tests.Model;

/// <summary>
/// A small random VAE for gradient checks of a whole objective: its parameters (biases perturbed too, so no gradient
/// is checked only at zero) as GradCheck inputs in layout order, then a batch x; callers add their noise inputs.
/// </summary>
internal sealed record RandomVaeCase(VaeConfig Config, ParameterLayout Layout, List<GradCheckInput> Inputs, int Rows, int Samples, Random Random)
{
    /// <summary>The case drawn from <paramref name="seed"/> (the draws' order is fixed: pinned seeds in the tests depend on it).</summary>
    public static RandomVaeCase Draw(Likelihood likelihood, Activation activation, GaussianVariance variance, float minVariance, int seed)
    {
        var random = new Random(seed);
        var config = new VaeConfig
        {
            InputSize = random.Next(2, 7),
            HiddenSizes = random.Next(2) == 0 ? [random.Next(2, 6)] : [random.Next(2, 5), random.Next(2, 5)],
            Activation = activation,
            LatentSize = random.Next(1, 4),
            Likelihood = likelihood,
            GaussianVariance = variance,
            MinVariance = minVariance,
            FixedVariance = 0.2f,
        };
        int rows = random.Next(1, 4), samples = random.Next(1, 3);
        using var model = new VariationalAutoencoder(config, (ulong)seed);
        var inputs = new List<GradCheckInput>();
        foreach (ParameterSlice s in model.Layout.Slices)
        {
            double[] values = model.Parameters.Slice(s.Offset, s.Length).ToArray().Select(v => (double)v + (random.NextDouble() - 0.5) * 0.3).ToArray();
            inputs.Add(new GradCheckInput(s.Name, values, s.Shape));
        }
        double[] x = Enumerable.Range(0, rows * config.InputSize).Select(_ => likelihood != Likelihood.Gaussian ? random.NextDouble() : random.NextDouble() * 2 - 1).ToArray();
        inputs.Add(new GradCheckInput("x", x, TensorShape.Matrix(rows, config.InputSize), Differentiable: false));
        return new RandomVaeCase(config, model.Layout, inputs, rows, samples, random);
    }

    public int ParameterCount => Layout.Slices.Count;

    /// <summary>Adds a constant input of <paramref name="rows"/> × <paramref name="columns"/> values from U(−1, 1) (noise ε, a latent z).</summary>
    public void AddConstant(string name, int rows, int columns) =>
        Inputs.Add(new GradCheckInput(name, Enumerable.Range(0, rows * columns).Select(_ => Random.NextDouble() * 2 - 1).ToArray(),
            TensorShape.Matrix(rows, columns), Differentiable: false));

    /// <summary>
    /// GradChecks <paramref name="loss"/> (given the graph bound to the parameters and the inputs after them: x first)
    /// for every parameter tensor; throws, naming the case, when it fails.
    /// </summary>
    public (GradCheckReport Report, int Entries) Check(Func<VaeGraph<double>, Tape<double>, IReadOnlyList<Var>, Var> loss, string what)
    {
        int parameterCount = ParameterCount;
        GradCheckFunction function = (tape, v) =>
        {
            var graph = new VaeGraph<double>(Config, Layout);
            graph.Bind(tape, v.Take(parameterCount).ToArray());
            return loss(graph, tape, v.Skip(parameterCount).ToArray());
        };
        GradCheckReport report = GradCheck.Check(function, Inputs);
        if (!report.Passed) throw new Xunit.Sdk.XunitException($"{what}: {Config}, {Rows} rows: {report}");
        Assert.Equal(parameterCount, report.Inputs.Count);
        return (report, Inputs.Where(i => i.Differentiable).Sum(i => i.Values.Length));
    }
}
