using System.Globalization;
using System.Text;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>Builds a one-element value (the function to check) on a tape from its inputs, in input order.</summary>
public delegate Var GradCheckFunction(Tape<double> tape, IReadOnlyList<Var> inputs);

/// <summary>One input of a gradient check: its values, shape, and whether its gradient is checked (false: a constant such as ε).</summary>
public sealed record GradCheckInput(string Name, double[] Values, TensorShape Shape, bool Differentiable = true);

/// <summary>
/// Step and tolerances of <see cref="GradCheck"/>. An entry passes when
/// |analytic − numeric| ≤ <see cref="AbsoluteTolerance"/>·max(1, |f|) + <see cref="RelativeTolerance"/>·max(|analytic|, |numeric|).
/// </summary>
/// <param name="RelativeStep">Central-difference step h = RelativeStep·max(1, |x|).</param>
/// <param name="AbsoluteTolerance">Absolute error allowed, per unit of |f|.</param>
/// <param name="RelativeTolerance">Relative error allowed.</param>
public sealed record GradCheckOptions(double RelativeStep = 1e-5, double AbsoluteTolerance = 1e-8, double RelativeTolerance = 1e-6);

/// <summary>The outcome for one input: the largest errors and where the worst one is.</summary>
public sealed record GradCheckInputReport(string Name, double MaxAbsoluteError, double MaxRelativeError, int WorstIndex, double WorstAnalytic, double WorstNumeric, bool Passed);

/// <summary>The outcome of a gradient check.</summary>
public sealed record GradCheckReport(double FunctionValue, IReadOnlyList<GradCheckInputReport> Inputs)
{
    /// <summary>True when every entry of every differentiable input is within tolerance.</summary>
    public bool Passed => Inputs.All(i => i.Passed);

    /// <summary>One line per input.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"gradcheck f = {FunctionValue:G6}: {(Passed ? "passed" : "FAILED")}");
        foreach (GradCheckInputReport i in Inputs)
            text.Append(CultureInfo.InvariantCulture,
                $"\n  {i.Name}: max abs {i.MaxAbsoluteError:E2}, max rel {i.MaxRelativeError:E2}, worst [{i.WorstIndex}] analytic {i.WorstAnalytic:G8} vs numeric {i.WorstNumeric:G8}{(i.Passed ? "" : "  <-- FAILED")}");
        return text.ToString();
    }
}

/// <summary>
/// Compares every analytic gradient entry with central finite differences, like
/// <c>torch.autograd.gradcheck</c>.
/// </summary>
/// <remarks>
/// <para>Why it can fail when it should: the check runs the very same op code as training, but with
/// <see cref="Tape{T}"/> over <see cref="double"/>. A central difference with step h has truncation error
/// ≈ h²·|f‴|/6 and rounding error ≈ ε·|f|/h; with ε = 2.2·10⁻¹⁶ and h = 10⁻⁵·max(1, |x|) both are around
/// 10⁻¹¹ relative, four orders of magnitude below the default relative tolerance 10⁻⁶ and nine below a
/// 1% error. So a backward that is off by 1% in a single entry whose gradient is not negligible
/// (|g| ≫ 10⁻⁸·max(1, |f|)) is always reported; the test suite proves this by injecting such a fault.
/// In float the same differences would carry rounding noise near 10⁻³ relative, too close to 1% to decide.</para>
/// <para>The float kernels themselves are checked separately against double references, and the float
/// and double analytic gradients of every op are compared, which closes the chain for training in float.</para>
/// <para>Avoid points where the function is not differentiable (ReLU at 0) within a step of an input.</para>
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks the gradient of <paramref name="function"/> at <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">An input's values do not match its shape, or the function's value is not one element.</exception>
    public static GradCheckReport Check(GradCheckFunction function, IReadOnlyList<GradCheckInput> inputs, GradCheckOptions? options = null) =>
        Check(function, inputs, options ?? new GradCheckOptions(), tape: new Tape<double>());

    /// <summary>Same, on a given tape (tests use this to inject a fault into one op's backward).</summary>
    internal static GradCheckReport Check(GradCheckFunction function, IReadOnlyList<GradCheckInput> inputs, GradCheckOptions options, Tape<double> tape)
    {
        foreach (GradCheckInput input in inputs)
            if (input.Values.Length != input.Shape.Length)
                throw new ArgumentException($"GradCheck: input '{input.Name}' has {input.Values.Length} values but shape {input.Shape}.");

        var vars = new Var[inputs.Count];
        double Evaluate(bool backward)
        {
            tape.Reset();
            for (int i = 0; i < inputs.Count; i++)
                vars[i] = inputs[i].Differentiable ? tape.Variable(inputs[i].Values, inputs[i].Shape) : tape.Input(inputs[i].Values, inputs[i].Shape);
            Var result = function(tape, vars);
            double value = tape.Scalar(result);
            if (backward) tape.Backward(result);
            return value;
        }

        double f0 = Evaluate(backward: true);
        var analytic = new double[inputs.Count][];
        for (int i = 0; i < inputs.Count; i++)
            analytic[i] = inputs[i].Differentiable ? tape.Gradient(vars[i]).ToArray() : [];

        double absoluteFloor = options.AbsoluteTolerance * Math.Max(1, Math.Abs(f0));
        var reports = new List<GradCheckInputReport>();
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].Differentiable) continue;
            double[] x = inputs[i].Values;
            double maxAbs = 0, maxRel = 0, worstScore = -1, worstA = 0, worstN = 0;
            int worst = -1;
            bool passed = true;
            for (int j = 0; j < x.Length; j++)
            {
                double original = x[j];
                double h = options.RelativeStep * Math.Max(1, Math.Abs(original));
                x[j] = original + h;
                double plus = Evaluate(backward: false);
                x[j] = original - h;
                double minus = Evaluate(backward: false);
                x[j] = original;
                double numeric = (plus - minus) / (2 * h);
                double a = analytic[i][j];
                double error = Math.Abs(a - numeric);
                double scale = Math.Max(Math.Abs(a), Math.Abs(numeric));
                double allowed = absoluteFloor + options.RelativeTolerance * scale;
                bool ok = error <= allowed; // NaN fails
                passed &= ok;
                maxAbs = Math.Max(maxAbs, error);
                if (scale > 0) maxRel = Math.Max(maxRel, error / scale);
                double score = double.IsNaN(error) ? double.PositiveInfinity : error / allowed;
                if (score > worstScore) { worstScore = score; worst = j; worstA = a; worstN = numeric; }
            }
            reports.Add(new GradCheckInputReport(inputs[i].Name, maxAbs, maxRel, worst, worstA, worstN, passed));
        }
        return new GradCheckReport(f0, reports);
    }
}
