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
/// <param name="StepReductions">
/// How many times the step may be divided by 10 for an entry whose ±h straddles a kink (a ReLU's 0), so
/// the entry is still checked on one smooth piece; past that, the entry is reported as a kink, not checked.
/// Two keeps the rounding error of the difference (≈ 2.2·10⁻¹⁶·|f| / h) below the absolute tolerance.
/// </param>
public sealed record GradCheckOptions(double RelativeStep = 1e-5, double AbsoluteTolerance = 1e-8, double RelativeTolerance = 1e-6, int StepReductions = 2);

/// <summary>An entry left unchecked because even the smallest step straddles a point where the function is not differentiable.</summary>
/// <param name="Entry">The entry of the input.</param>
/// <param name="Step">The smallest step tried.</param>
/// <param name="Where">Which op, which element, which kink.</param>
public sealed record GradCheckKink(int Entry, double Step, string Where);

/// <summary>The outcome for one input: the largest errors and where the worst one is; the entries at kinks, and how many were checked with a reduced step.</summary>
public sealed record GradCheckInputReport(string Name, double MaxAbsoluteError, double MaxRelativeError, int WorstIndex, double WorstAnalytic, double WorstNumeric, bool Passed,
    IReadOnlyList<GradCheckKink>? Kinks = null, int ReducedStepEntries = 0)
{
    /// <summary>The entries not checked because they sit at a kink (never null).</summary>
    public IReadOnlyList<GradCheckKink> Kinks { get; init; } = Kinks ?? [];
}

/// <summary>The outcome of a gradient check.</summary>
public sealed record GradCheckReport(double FunctionValue, IReadOnlyList<GradCheckInputReport> Inputs)
{
    /// <summary>True when every checked entry of every differentiable input is within tolerance (entries at kinks are not checked; see <see cref="KinkCount"/>).</summary>
    public bool Passed => Inputs.All(i => i.Passed);

    /// <summary>How many entries, over all inputs, were left unchecked at a kink.</summary>
    public int KinkCount => Inputs.Sum(i => i.Kinks.Count);

    /// <summary>How many entries, over all inputs, were checked with a reduced step to stay off a kink.</summary>
    public int ReducedStepCount => Inputs.Sum(i => i.ReducedStepEntries);

    /// <summary>One line per input, and one per entry at a kink.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"gradcheck f = {FunctionValue:G6}: {(Passed ? "passed" : "FAILED")}");
        foreach (GradCheckInputReport i in Inputs)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\n  {i.Name}: max abs {i.MaxAbsoluteError:E2}, max rel {i.MaxRelativeError:E2}, worst [{i.WorstIndex}] analytic {i.WorstAnalytic:G8} vs numeric {i.WorstNumeric:G8}{(i.Passed ? "" : "  <-- FAILED")}");
            if (i.ReducedStepEntries > 0)
                text.Append(CultureInfo.InvariantCulture, $"; {i.ReducedStepEntries} entries checked with a smaller step to stay off a kink");
            foreach (GradCheckKink k in i.Kinks)
                text.Append(CultureInfo.InvariantCulture, $"\n    [{k.Entry}] not checked: not differentiable within a step of {k.Step:G2}: {k.Where}");
        }
        return text.ToString();
    }
}

/// <summary>
/// Compares every analytic gradient entry with central finite differences, like
/// <c>torch.autograd.gradcheck</c>, and knows where the function has kinks.
/// </summary>
/// <remarks>
/// <para>Why it can fail when it should: the check runs the very same op code as training, but with
/// <see cref="Tape{T}"/> over <see cref="double"/>. A central difference with step h has truncation error
/// ≈ h²·|f‴|/6 and rounding error ≈ ε·|f|/h; with ε = 2.2·10⁻¹⁶ and h = 10⁻⁵·max(1, |x|) both are around
/// 10⁻¹¹ relative, four orders of magnitude below the default relative tolerance 10⁻⁶ and nine below a
/// 1% error. So a backward that is off by 1% in a single entry whose gradient is not negligible
/// (|g| ≫ 10⁻⁸·max(1, |f|)) is always reported; the test suite proves this by injecting such a fault
/// into every input of every op.
/// In float the same differences would carry rounding noise near 10⁻³ relative, too close to 1% to decide.</para>
/// <para>Kinks: where x ± h lands on different pieces of a piecewise function (a ReLU whose pre-activation
/// is within the step of 0), the central difference measures neither derivative, and a correct backward
/// would be reported wrong. Rather than guess from the numbers, the check asks the ops: each op with a
/// kink declares the value that selects its branch (<see cref="OpKinks"/>); after each evaluation the
/// sides of all of them are compared with the sides at x. If ±h changes one, the entry is checked again
/// with the step divided by 10 (up to <see cref="GradCheckOptions.StepReductions"/> times); if even that
/// crosses, the entry is reported as a kink — which entry, which op, which element — and not counted as
/// passed or failed. A kink that no op declares (the user's own non-smooth math outside the ops) is not
/// seen.</para>
/// <para>The float kernels themselves are checked separately against double references, and the float
/// and double analytic gradients of every op are compared, which closes the chain for training in float.</para>
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks the gradient of <paramref name="function"/> at <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">An input's values do not match its shape, or the function's value is not one element.</exception>
    public static GradCheckReport Check(GradCheckFunction function, IReadOnlyList<GradCheckInput> inputs, GradCheckOptions? options = null) =>
        Check(function, inputs, options ?? new GradCheckOptions(), alterAnalytic: null);

    /// <summary>
    /// Same, with a seam for tests: <paramref name="alterAnalytic"/> may change the analytic gradients (one
    /// array per input, in input order) before they are compared — a fault injected into a backward, to
    /// prove that the check rejects it.
    /// </summary>
    internal static GradCheckReport Check(GradCheckFunction function, IReadOnlyList<GradCheckInput> inputs, GradCheckOptions options, Action<double[][]>? alterAnalytic)
    {
        foreach (GradCheckInput input in inputs)
            if (input.Values.Length != input.Shape.Length)
                throw new ArgumentException($"GradCheck: input '{input.Name}' has {input.Values.Length} values but shape {input.Shape}.");

        var tape = new Tape<double>();
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
        alterAnalytic?.Invoke(analytic);
        List<bool> sidesAtX = [], sides = [];
        OpKinks.Sides(tape, sidesAtX);

        double absoluteFloor = options.AbsoluteTolerance * Math.Max(1, Math.Abs(f0));
        var reports = new List<GradCheckInputReport>();
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].Differentiable) continue;
            double[] x = inputs[i].Values;
            double maxAbs = 0, maxRel = 0, worstScore = -1, worstA = 0, worstN = 0;
            int worst = -1, reduced = 0;
            bool passed = true;
            var kinks = new List<GradCheckKink>();
            for (int j = 0; j < x.Length; j++)
            {
                double original = x[j];
                double h = options.RelativeStep * Math.Max(1, Math.Abs(original));
                double numeric = double.NaN;
                string? crossed = null;
                for (int attempt = 0; attempt <= options.StepReductions; attempt++, h /= 10)
                {
                    x[j] = original + h;
                    double plus = Evaluate(backward: false);
                    OpKinks.Sides(tape, sides);
                    crossed = OpKinks.FirstCrossed(tape, sidesAtX, sides);
                    x[j] = original - h;
                    double minus = Evaluate(backward: false);
                    OpKinks.Sides(tape, sides);
                    crossed ??= OpKinks.FirstCrossed(tape, sidesAtX, sides);
                    x[j] = original;
                    if (crossed is not null) continue;
                    numeric = (plus - minus) / (2 * h);
                    if (attempt > 0) reduced++;
                    break;
                }
                if (crossed is not null)
                {
                    kinks.Add(new GradCheckKink(j, h * 10, crossed));
                    continue;
                }
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
            reports.Add(new GradCheckInputReport(inputs[i].Name, maxAbs, maxRel, worst, worstA, worstN, passed, kinks, reduced));
        }
        return new GradCheckReport(f0, reports);
    }
}
