using System.Numerics;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>
/// The continuous Bernoulli log-density (Loaiza-Ganem &amp; Cunningham, NeurIPS 2019) per row, from logits l
/// (λ = σ(l)): y[r] = Σ_c x·l − softplus(l) + log C(l), the Bernoulli term plus the log-normaliser that makes it a
/// density on [0, 1]. Backward: dl += dy[r]·(x − σ(l) + C′/C(l)); dx += dy[r]·l.
/// </summary>
/// <remarks>
/// In logits the paper's log C(λ) = log(2 artanh(1 − 2λ) / (1 − 2λ)) is log(l / tanh(l/2)) (because
/// 1 − 2σ(l) = −tanh(l/2)), and its derivative is 1/l − 1/sinh l. Both lose everything to cancellation near
/// λ = ½ (l = 0) — the derivative is a difference of two values ~1/l whose result is ~l/6 — so for
/// |l| &lt; <see cref="SeriesBound"/> they come from their Taylor series, whose first omitted term is below
/// 10⁻⁹ of the value there.
/// </remarks>
[Derivative("ContinuousBernoulliLogLikelihood(l, x)", "y_r = Σ_c x·l − softplus(l) + log C(l), log C = log(l / tanh(l/2)) (a series for \\|l\\| < ½)", "dl += dy_r (x − σ(l) + 1/l − 1/sinh l); dx += dy_r · l")]
internal static class ContinuousBernoulliLogLikelihoodOp
{
    /// <summary>Below this |l| the series are used; above it the closed forms lose at most ~6ε/l² to cancellation.</summary>
    public const double SeriesBound = 0.5;

    public static Var Forward<T>(Tape<T> tape, Var logits, Var targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(logits);
        if (s != tape.Shape(targets))
            throw new ArgumentException($"ContinuousBernoulliLogLikelihood: logits {s} and targets {tape.Shape(targets)} differ.");
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), logits, targets);
        ReadOnlySpan<T> lv = tape.Value(logits), xv = tape.Value(targets);
        Span<T> yv = tape.Value(y);
        for (int r = 0; r < s.Rows; r++)
        {
            T sum = T.Zero;
            for (int i = r * s.Columns; i < (r + 1) * s.Columns; i++)
                sum += xv[i] * lv[i] - TensorMath<T>.SoftplusScalar(lv[i]) + LogNormalizer(lv[i]);
            yv[r] = sum;
        }
        tape.Record(new OpRecord { Kind = OpKind.ContinuousBernoulliLogLikelihood, Output = y.Slot, A = logits.Slot, B = targets.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var logits = new(op.A), targets = new(op.B), y = new(op.Output);
        int columns = tape.Shape(logits).Columns;
        ReadOnlySpan<T> dy = tape.Gradient(y), lv = tape.Value(logits), xv = tape.Value(targets);
        if (tape.RequiresGradient(logits))
        {
            Span<T> dl = tape.Gradient(logits);
            for (int i = 0; i < dl.Length; i++)
                dl[i] += dy[i / columns] * (xv[i] - TensorMath<T>.SigmoidScalar(lv[i]) + LogNormalizerDerivative(lv[i]));
        }
        if (tape.RequiresGradient(targets))
        {
            Span<T> dx = tape.Gradient(targets);
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i / columns] * lv[i];
        }
    }

    /// <summary>log C = log(l / tanh(l/2)); log 2 + l²/12 − 7l⁴/1440 + … near 0.</summary>
    public static T LogNormalizer<T>(T l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.Abs(l) >= T.CreateChecked(SeriesBound)) return T.Log(l / T.Tanh(l / T.CreateChecked(2)));
        T u = l * l;
        return T.CreateChecked(Math.Log(2)) + u * (T.CreateChecked(1.0 / 12) + u * (T.CreateChecked(-7.0 / 1440) + u * (T.CreateChecked(31.0 / 90720) +
            u * (T.CreateChecked(-127.0 / 4838400) + u * (T.CreateChecked(73.0 / 34214400) + u * T.CreateChecked(-1414477.0 / 7846046208000))))));
    }

    /// <summary>d log C / dl = 1/l − 1/sinh l; l/6 − 7l³/360 + … near 0.</summary>
    public static T LogNormalizerDerivative<T>(T l) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.Abs(l) >= T.CreateChecked(SeriesBound)) return T.One / l - T.One / T.Sinh(l);
        T u = l * l;
        return l * (T.CreateChecked(1.0 / 6) + u * (T.CreateChecked(-7.0 / 360) + u * (T.CreateChecked(31.0 / 15120) +
            u * (T.CreateChecked(-127.0 / 604800) + u * (T.CreateChecked(73.0 / 3421440) + u * T.CreateChecked(-1414477.0 / 653837184000))))));
    }

    /// <summary>The distribution's mean E[x] = 1/(1 − e^−l) − 1/l (½ + l/12 − l³/720 + … near 0): what the decoder shows as its output.</summary>
    public static float Mean(float l)
    {
        if (MathF.Abs(l) >= (float)SeriesBound) return -1f / float.ExpM1(-l) - 1f / l;
        float u = l * l;
        return 0.5f + l * (1f / 12 + u * (-1f / 720 + u * (1f / 30240 + u * (-1f / 1209600))));
    }

    /// <summary>
    /// The inverse of the CDF F(x) = (e^{lx} − 1)/(e^l − 1) at <paramref name="u"/> ∈ [0, 1): a draw of x given a uniform u
    /// (wake-sleep's dreams). x = log(1 + u(e^l − 1))/l, written through e^{−|l|} so no exponential overflows; u near l = 0.
    /// </summary>
    public static float Quantile(float l, float u)
    {
        if (MathF.Abs(l) < 1e-4f) return u;
        double x = l > 0 ? 1 + Math.Log(u + (1 - u) * Math.Exp(-l)) / l : double.LogP1(u * double.ExpM1(l)) / l;
        return (float)Math.Clamp(x, 0, 1);
    }
}

public static partial class TapeOps
{
    /// <summary>Per row, log p(x | logits) of independent continuous Bernoullis (targets in [0, 1]).</summary>
    public static Var ContinuousBernoulliLogLikelihood<T>(this Tape<T> tape, Var logits, Var targets) where T : unmanaged, IFloatingPointIeee754<T> =>
        ContinuousBernoulliLogLikelihoodOp.Forward(tape, logits, targets);
}
