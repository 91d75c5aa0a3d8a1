using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Autodiff;
using Vae.Simd.Tensors;
using Xunit.Abstractions;

namespace Vae.Simd.Tests.Autodiff;

/// <summary>Every op's backward against finite differences, on random shapes and values in the op's domain.</summary>
public class OpGradientTests(ITestOutputHelper output)
{
    private static readonly Gen<Sizes> SizesGen =
        from n in Gen.Frequency((1, Gen.Constant(1)), (3, Gen.Choose(1, 5)))
        from c in Gen.Frequency((1, Gen.Constant(1)), (3, Gen.Choose(1, 7)))
        from d in Gen.Choose(1, 6)
        select new Sizes(n, c, d);

    private static readonly Gen<(Sizes, int)> CaseGen = from s in SizesGen from seed in Gen.Choose(0, int.MaxValue) select (s, seed);

    [Theory]
    [MemberData(nameof(OpCatalog.Names), MemberType = typeof(OpCatalog))]
    public void GradCheckPasses(string name)
    {
        OpCase op = OpCatalog.Find(name);
        int kinks = 0, reduced = 0, entries = 0;
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            (GradCheckInput[] inputs, GradCheckFunction f) = OpCatalog.Instantiate(op, c.Item1, c.Item2);
            GradCheckReport report = GradCheck.Check(f, inputs);
            if (!report.Passed) throw new Xunit.Sdk.XunitException($"{c.Item1}: {report}");
            kinks += report.KinkCount;
            reduced += report.ReducedStepCount;
            entries += inputs.Where(i => i.Differentiable).Sum(i => i.Values.Length);
            return true;
        }).QuickCheckThrowOnFailure();
        // Entries at a kink are skipped, not passed: they must stay rare, or the property would prove little.
        Assert.True(kinks <= entries / 100, $"{kinks} of {entries} entries were at a kink");
        output.WriteLine($"{name}: {entries} entries, {reduced} checked with a smaller step to stay off a kink, {kinks} at a kink (skipped)");
    }

    /// <summary>
    /// A backward off by 1% in the largest entry of one input, for every differentiable input of every op
    /// (dx, dW and db of Linear; dA and dB of MatMul; dx, dμ and dv of the Gaussian term; …). The fault is
    /// injected into the analytic gradient GradCheck compares: in the catalogue every op reads its inputs
    /// straight from leaves, so the op's backward contribution to an input is exactly that leaf's gradient.
    /// </summary>
    [Theory]
    [MemberData(nameof(OpCatalog.Inputs), MemberType = typeof(OpCatalog))]
    public void GradCheckRejectsABackwardOffByOnePercentInOneEntryOfEachInput(string name, int input)
    {
        OpCase op = OpCatalog.Find(name);
        int checkedCases = 0, atKink = 0;
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            (GradCheckInput[] inputs, GradCheckFunction f) = OpCatalog.Instantiate(op, c.Item1, c.Item2);
            int entry = -1;
            GradCheckReport report = GradCheck.Check(f, inputs, new GradCheckOptions(), analytic =>
            {
                double[] g = analytic[input];
                entry = Array.IndexOf(g, g.MaxBy(Math.Abs));
                if (Math.Abs(g[entry]) >= 1e-3) g[entry] *= 1.01;
                else entry = -1; // a 1% change of a vanishing gradient is not an error anyone can see
            });
            if (entry < 0) return true;
            if (report.Inputs[input].Kinks.Any(k => k.Entry == entry)) { atKink++; return true; }
            checkedCases++;
            if (report.Inputs[input].Passed) throw new Xunit.Sdk.XunitException($"a 1% error at entry {entry} of input {input} went unnoticed: {report}");
            return true;
        }).QuickCheckThrowOnFailure();
        Assert.True(checkedCases >= 50, $"only {checkedCases} of 100 cases had a gradient large enough to fault ({atKink} at a kink)");
        output.WriteLine($"{name} input {input}: {checkedCases} faulted cases all rejected, {atKink} skipped at a kink");
    }

    [Theory]
    [MemberData(nameof(OpCatalog.Names), MemberType = typeof(OpCatalog))]
    public void FloatGradientsAgreeWithDoubleGradients(string name)
    {
        OpCase op = OpCatalog.Find(name);
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            (GradCheckInput[] inputs, _) = OpCatalog.Instantiate(op, c.Item1, c.Item2);
            var weights = Enumerable.Range(0, 4096).Select(i => Math.Sin(i + 1.0)).ToArray();
            var dTape = new Tape<double>();
            var dVars = inputs.Select(i => i.Differentiable ? dTape.Variable(i.Values, i.Shape) : dTape.Input(i.Values, i.Shape)).ToArray();
            dTape.Backward(OpCatalog.WeightedSum(dTape, op.Apply(dTape, dVars), weights));

            var fTape = new Tape<float>();
            var fVars = inputs.Select(i =>
            {
                float[] v = i.Values.Select(x => (float)x).ToArray();
                return i.Differentiable ? fTape.Variable(v, i.Shape) : fTape.Input(v, i.Shape);
            }).ToArray();
            fTape.Backward(OpCatalog.WeightedSum(fTape, ApplyFloat(op, fTape, fVars), weights));

            for (int i = 0; i < inputs.Length; i++)
            {
                if (!inputs[i].Differentiable) continue;
                double[] gd = dTape.Gradient(dVars[i]).ToArray();
                float[] gf = fTape.Gradient(fVars[i]).ToArray();
                double scale = gd.Max(Math.Abs);
                for (int j = 0; j < gd.Length; j++)
                    if (Math.Abs(gf[j] - gd[j]) > 1e-4 * Math.Max(1, scale))
                        throw new Xunit.Sdk.XunitException($"input {i} entry {j}: float {gf[j]} vs double {gd[j]}");
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>The catalogue's ops are written for Tape&lt;double&gt;; the same ops by name on a float tape.</summary>
    private static Var ApplyFloat(OpCase op, Tape<float> t, Var[] v) => op.Name switch
    {
        "Linear" => t.Linear(v[0], v[1], v[2]),
        "LinearRelu" => t.Linear(v[0], v[1], v[2], Activation.Relu),
        "LinearTanh" => t.Linear(v[0], v[1], v[2], Activation.Tanh),
        "MatMulNN" => t.MatMul(v[0], v[1]),
        "MatMulNT" => t.MatMul(v[0], v[1], Vae.Simd.Kernels.Transpose.No, Vae.Simd.Kernels.Transpose.Yes),
        "MatMulTN" => t.MatMul(v[0], v[1], Vae.Simd.Kernels.Transpose.Yes, Vae.Simd.Kernels.Transpose.No),
        "MatMulTT" => t.MatMul(v[0], v[1], Vae.Simd.Kernels.Transpose.Yes, Vae.Simd.Kernels.Transpose.Yes),
        "Add" or "AddRowBroadcast" => t.Add(v[0], v[1]),
        "Subtract" or "SubtractRowBroadcast" => t.Subtract(v[0], v[1]),
        "Multiply" or "MultiplyRowBroadcast" => t.Multiply(v[0], v[1]),
        "Scale" => t.Scale(v[0], -1.75f),
        "Exp" => t.Exp(v[0]),
        "Log" => t.Log(v[0]),
        "Tanh" => t.Tanh(v[0]),
        "Relu" => t.Relu(v[0]),
        "Sigmoid" => t.Sigmoid(v[0]),
        "Softplus" => t.Softplus(v[0]),
        "Square" => t.Square(v[0]),
        "Sum" => t.Sum(v[0]),
        "Mean" => t.Mean(v[0]),
        "RowSum" => t.RowSum(v[0]),
        "RowLogSumExp" => t.RowLogSumExp(v[0]),
        "BernoulliLogLikelihood" => t.BernoulliLogLikelihood(v[0], v[1]),
        "GaussianLogLikelihood" => t.GaussianLogLikelihood(v[0], v[1], v[2]),
        "StandardNormalLogDensity" => t.StandardNormalLogDensity(v[0]),
        "KlStandardNormal" => t.KlStandardNormal(v[0], v[1]),
        "Reparameterize" => t.Reparameterize(v[0], v[1], v[2]),
        "LogAddExp" => t.LogAddExp(v[0], -1.25f),
        "GaussianLogLikelihoodSharedVariance" => t.GaussianLogLikelihood(v[0], v[1], v[2]),
        "ContinuousBernoulliLogLikelihood" or "ContinuousBernoulliLogLikelihoodNearHalf" => t.ContinuousBernoulliLogLikelihood(v[0], v[1]),
        "RepeatRows" => t.RepeatRows(v[0], 3),
        "RowLogSumExpOfReshapedVector" => t.RowLogSumExp(t.Reshape(v[0], OpCatalog.ReshapedShape(t.Shape(v[0]).Length))),
        _ => throw new ArgumentException(op.Name),
    };

    [Fact]
    public void EveryOpKindIsInTheCatalogue()
    {
        // A new op without a gradient property fails here.
        var covered = new HashSet<string>(OpCatalog.All.Select(c => c.Name));
        foreach (string kind in Enum.GetNames<OpKind>())
            Assert.Contains(covered, n => n.StartsWith(kind, StringComparison.Ordinal));
    }
}
