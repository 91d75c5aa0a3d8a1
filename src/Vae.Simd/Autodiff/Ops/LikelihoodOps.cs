using System.Numerics;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>
/// Bernoulli log-likelihood from logits, per row: y[r] = Σ_c x·l − softplus(l) (= x log σ(l) + (1−x) log(1−σ(l))
/// without ever forming σ, so it stays finite for any logit). Backward: dl += dy[r]·(x − σ(l)); dx += dy[r]·l.
/// </summary>
[Derivative("BernoulliLogLikelihood(l, x)", "y_r = Σ_c x·l − softplus(l)", "dl += dy_r (x − σ(l)); dx += dy_r · l")]
internal static class BernoulliLogLikelihoodOp
{
    public static Var Forward<T>(Tape<T> tape, Var logits, Var targets) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(logits);
        if (s != tape.Shape(targets))
            throw new ArgumentException($"BernoulliLogLikelihood: logits {s} and targets {tape.Shape(targets)} differ.");
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), logits, targets);
        TensorMath<T>.BernoulliLogLikelihood(tape.Value(logits), tape.Value(targets), s.Rows, s.Columns, tape.Value(y));
        tape.Record(new OpRecord { Kind = OpKind.BernoulliLogLikelihood, Output = y.Slot, A = logits.Slot, B = targets.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var logits = new(op.A), targets = new(op.B), y = new(op.Output);
        TensorShape s = tape.Shape(logits);
        ReadOnlySpan<T> dy = tape.Gradient(y);
        if (tape.RequiresGradient(logits))
        {
            // Usually the logits' only reader: the first contribution overwrites (β = 0), saving a clearing pass.
            Span<T> dl = tape.GradientToWrite(logits, out T beta);
            TensorMath<T>.BernoulliLogLikelihoodGradient(tape.Value(logits), tape.Value(targets), s.Rows, s.Columns, dy, dl, beta);
        }
        if (tape.RequiresGradient(targets))
        {
            ReadOnlySpan<T> l = tape.Value(logits);
            Span<T> dx = tape.Gradient(targets);
            for (int i = 0; i < dx.Length; i++) dx[i] += dy[i / s.Columns] * l[i];
        }
    }
}

/// <summary>
/// Diagonal Gaussian log-density per row: y[r] = Σ_c −½(log 2π + v + (x − μ)²·e^{−v}) with v = log σ², either one per
/// entry or a single v shared by every entry (shape [1]). Backward with d = (x − μ)·e^{−v}: dx += −dy·d; dμ += dy·d;
/// dv += dy·½(d·(x − μ) − 1) (summed over the entries that share v).
/// </summary>
[Derivative("GaussianLogLikelihood(x, μ, v)", "y_r = Σ_c −½(log 2π + v + (x−μ)² e^{−v}); v per entry or one shared value", "with d = (x−μ)e^{−v}: dx −= dy_r d; dμ += dy_r d; dv += dy_r ½(d(x−μ) − 1) (summed when shared)")]
internal static class GaussianLogLikelihoodOp
{
    public static Var Forward<T>(Tape<T> tape, Var x, Var mean, Var logVariance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(x);
        if (s != tape.Shape(mean) || (s != tape.Shape(logVariance) && tape.Shape(logVariance).Length != 1))
            throw new ArgumentException($"GaussianLogLikelihood: x {s}, mean {tape.Shape(mean)} and log-variance {tape.Shape(logVariance)} must have one shape (or the log-variance one element).");
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), x, mean, logVariance);
        ReadOnlySpan<T> xv = tape.Value(x), mv = tape.Value(mean), vv = tape.Value(logVariance);
        bool shared = vv.Length == 1 && xv.Length != 1;
        Span<T> yv = tape.Value(y);
        T half = T.CreateChecked(0.5), log2Pi = T.CreateChecked(Math.Log(2 * Math.PI));
        for (int r = 0; r < s.Rows; r++)
        {
            T sum = T.Zero;
            for (int i = r * s.Columns; i < (r + 1) * s.Columns; i++)
            {
                T d = xv[i] - mv[i], v = vv[shared ? 0 : i];
                sum -= half * (log2Pi + v + d * d * T.Exp(-v));
            }
            yv[r] = sum;
        }
        tape.Record(new OpRecord { Kind = OpKind.GaussianLogLikelihood, Output = y.Slot, A = x.Slot, B = mean.Slot, C = logVariance.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var x = new(op.A), mean = new(op.B), logVariance = new(op.C), y = new(op.Output);
        int columns = tape.Shape(x).Columns;
        ReadOnlySpan<T> dy = tape.Gradient(y), xv = tape.Value(x), mv = tape.Value(mean), vv = tape.Value(logVariance);
        bool gx = tape.RequiresGradient(x), gm = tape.RequiresGradient(mean), gv = tape.RequiresGradient(logVariance);
        bool shared = vv.Length == 1 && xv.Length != 1;
        Span<T> dx = gx ? tape.Gradient(x) : default, dm = gm ? tape.Gradient(mean) : default, dv = gv ? tape.Gradient(logVariance) : default;
        T half = T.CreateChecked(0.5);
        for (int i = 0; i < xv.Length; i++)
        {
            T u = dy[i / columns], diff = xv[i] - mv[i], d = diff * T.Exp(-vv[shared ? 0 : i]);
            if (gx) dx[i] -= u * d;
            if (gm) dm[i] += u * d;
            if (gv) dv[shared ? 0 : i] += u * half * (d * diff - T.One);
        }
    }
}

/// <summary>Standard normal log-density per row: y[r] = Σ_c −½(log 2π + z²) (the prior's log p(z)). Backward: dz += −dy·z.</summary>
[Derivative("StandardNormalLogDensity(z)", "y_r = Σ_c −½(log 2π + z²)", "dz −= dy_r z")]
internal static class StandardNormalLogDensityOp
{
    public static Var Forward<T>(Tape<T> tape, Var z) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(z);
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), z);
        ReadOnlySpan<T> zv = tape.Value(z);
        Span<T> yv = tape.Value(y);
        T half = T.CreateChecked(0.5), log2Pi = T.CreateChecked(Math.Log(2 * Math.PI));
        for (int r = 0; r < s.Rows; r++)
        {
            T sum = T.Zero;
            for (int i = r * s.Columns; i < (r + 1) * s.Columns; i++) sum -= half * (log2Pi + zv[i] * zv[i]);
            yv[r] = sum;
        }
        tape.Record(new OpRecord { Kind = OpKind.StandardNormalLogDensity, Output = y.Slot, A = z.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var z = new(op.A);
        if (!tape.RequiresGradient(z)) return;
        int columns = tape.Shape(z).Columns;
        ReadOnlySpan<T> dy = tape.Gradient(new Var(op.Output)), zv = tape.Value(z);
        Span<T> dz = tape.Gradient(z);
        for (int i = 0; i < dz.Length; i++) dz[i] -= dy[i / columns] * zv[i];
    }
}

/// <summary>
/// KL(N(μ, e^v) ‖ N(0, I)) per row, analytically: y[r] = −½ Σ_c (1 + v − μ² − e^v) (the paper's appendix B).
/// Backward: dμ += dy·μ; dv += dy·½(e^v − 1).
/// </summary>
[Derivative("KlStandardNormal(μ, v)", "y_r = −½ Σ_c (1 + v − μ² − eᵛ)", "dμ += dy_r μ; dv += dy_r ½(eᵛ − 1)")]
internal static class KlStandardNormalOp
{
    public static Var Forward<T>(Tape<T> tape, Var mean, Var logVariance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(mean);
        if (s != tape.Shape(logVariance))
            throw new ArgumentException($"KlStandardNormal: mean {s} and log-variance {tape.Shape(logVariance)} differ.");
        Var y = tape.NewResult(TensorShape.Vector(s.Rows), mean, logVariance);
        ReadOnlySpan<T> mv = tape.Value(mean), vv = tape.Value(logVariance);
        Span<T> yv = tape.Value(y);
        T half = T.CreateChecked(0.5);
        for (int r = 0; r < s.Rows; r++)
        {
            T sum = T.Zero;
            for (int i = r * s.Columns; i < (r + 1) * s.Columns; i++) sum += T.One + vv[i] - mv[i] * mv[i] - T.Exp(vv[i]);
            yv[r] = -half * sum;
        }
        tape.Record(new OpRecord { Kind = OpKind.KlStandardNormal, Output = y.Slot, A = mean.Slot, B = logVariance.Slot });
        return y;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var mean = new(op.A), logVariance = new(op.B);
        int columns = tape.Shape(mean).Columns;
        ReadOnlySpan<T> dy = tape.Gradient(new Var(op.Output)), mv = tape.Value(mean), vv = tape.Value(logVariance);
        T half = T.CreateChecked(0.5);
        if (tape.RequiresGradient(mean))
        {
            Span<T> dm = tape.Gradient(mean);
            for (int i = 0; i < dm.Length; i++) dm[i] += dy[i / columns] * mv[i];
        }
        if (tape.RequiresGradient(logVariance))
        {
            Span<T> dv = tape.Gradient(logVariance);
            for (int i = 0; i < dv.Length; i++) dv[i] += dy[i / columns] * half * (T.Exp(vv[i]) - T.One);
        }
    }
}

/// <summary>
/// The reparameterisation trick: z = μ + e^{v/2} ⊙ ε with ε ~ N(0, I) supplied (a constant), so the
/// sample is a differentiable function of μ and v. Backward: dμ += dz; dv += dz ⊙ ε ⊙ ½e^{v/2}.
/// </summary>
[Derivative("Reparameterize(μ, v, ε)", "z = μ + e^{v/2} ⊙ ε", "dμ += dz; dv += dz ⊙ ε ⊙ ½e^{v/2} (ε is a constant)")]
internal static class ReparameterizeOp
{
    public static Var Forward<T>(Tape<T> tape, Var mean, Var logVariance, Var noise) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorShape s = tape.Shape(mean);
        if (s != tape.Shape(logVariance) || s != tape.Shape(noise))
            throw new ArgumentException($"Reparameterize: mean {s}, log-variance {tape.Shape(logVariance)} and noise {tape.Shape(noise)} must have one shape.");
        Var z = tape.NewResult(s, mean, logVariance);
        ReadOnlySpan<T> mv = tape.Value(mean), vv = tape.Value(logVariance), ev = tape.Value(noise);
        Span<T> zv = tape.Value(z);
        T half = T.CreateChecked(0.5);
        for (int i = 0; i < zv.Length; i++) zv[i] = mv[i] + T.Exp(half * vv[i]) * ev[i];
        tape.Record(new OpRecord { Kind = OpKind.Reparameterize, Output = z.Slot, A = mean.Slot, B = logVariance.Slot, C = noise.Slot });
        return z;
    }

    public static void Backward<T>(Tape<T> tape, in OpRecord op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Var mean = new(op.A), logVariance = new(op.B), noise = new(op.C), z = new(op.Output);
        ReadOnlySpan<T> dz = tape.Gradient(z);
        if (tape.RequiresGradient(mean)) TensorMath<T>.Axpy(T.One, dz, tape.Gradient(mean));
        if (tape.RequiresGradient(logVariance))
        {
            ReadOnlySpan<T> vv = tape.Value(logVariance), ev = tape.Value(noise);
            Span<T> dv = tape.Gradient(logVariance);
            T half = T.CreateChecked(0.5);
            for (int i = 0; i < dv.Length; i++) dv[i] += dz[i] * ev[i] * half * T.Exp(half * vv[i]);
        }
    }
}

public static partial class TapeOps
{
    /// <summary>Per row, log p(x | logits) of independent Bernoullis (targets in [0, 1]).</summary>
    public static Var BernoulliLogLikelihood<T>(this Tape<T> tape, Var logits, Var targets) where T : unmanaged, IFloatingPointIeee754<T> =>
        BernoulliLogLikelihoodOp.Forward(tape, logits, targets);

    /// <summary>Per row, log N(x; μ, diag(exp(logVariance))); the log variance has x's shape or is one value shared by all entries.</summary>
    public static Var GaussianLogLikelihood<T>(this Tape<T> tape, Var x, Var mean, Var logVariance) where T : unmanaged, IFloatingPointIeee754<T> =>
        GaussianLogLikelihoodOp.Forward(tape, x, mean, logVariance);

    /// <summary>Per row, log N(z; 0, I): the log-density of the prior.</summary>
    public static Var StandardNormalLogDensity<T>(this Tape<T> tape, Var z) where T : unmanaged, IFloatingPointIeee754<T> =>
        StandardNormalLogDensityOp.Forward(tape, z);

    /// <summary>Per row, KL(N(μ, exp(logVariance)) ‖ N(0, I)) in closed form.</summary>
    public static Var KlStandardNormal<T>(this Tape<T> tape, Var mean, Var logVariance) where T : unmanaged, IFloatingPointIeee754<T> =>
        KlStandardNormalOp.Forward(tape, mean, logVariance);

    /// <summary>z = μ + exp(½·logVariance) ⊙ ε, with the noise ε given as a constant input.</summary>
    public static Var Reparameterize<T>(this Tape<T> tape, Var mean, Var logVariance, Var noise) where T : unmanaged, IFloatingPointIeee754<T> =>
        ReparameterizeOp.Forward(tape, mean, logVariance, noise);
}
