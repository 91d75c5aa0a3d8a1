using Vae.Simd.Training;

namespace Vae.Simd.Tests.Training;

/// <summary>Each optimizer against two steps computed by hand in double, on a length that exercises the vector body and the tail.</summary>
public class OptimizerTests
{
    private const int Length = 19;

    private static (float[] Theta, float[] G1, float[] G2) Start()
    {
        var random = new Random(12);
        float[] R() => Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return (R(), R(), R());
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void AdamMatchesTheBiasCorrectedFormula()
    {
        (float[] theta, float[] g1, float[] g2) = Start();
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        var expected = theta.Select(v => (double)v).ToArray();
        var m = new double[Length]; var v2 = new double[Length];
        int t = 0;
        foreach (float[] g in new[] { g1, g2 })
        {
            t++;
            for (int i = 0; i < Length; i++)
            {
                double grad = g[i] + wd * expected[i];
                m[i] = b1 * m[i] + (1 - b1) * grad;
                v2[i] = b2 * v2[i] + (1 - b2) * grad * grad;
                double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v2[i] / (1 - Math.Pow(b2, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        var adam = new Adam(Length, (float)lr, (float)wd);
        adam.Step(theta, g1);
        adam.Step(theta, g2);
        AssertClose(expected, theta);
        Assert.Equal(2, adam.Steps);
    }

    [Fact]
    public void AdagradMatchesTheAccumulatedFormula()
    {
        (float[] theta, float[] g1, float[] g2) = Start();
        double lr = 0.05, wd = 0.01, eps = 1e-10;
        var expected = theta.Select(v => (double)v).ToArray();
        var h = new double[Length];
        foreach (float[] g in new[] { g1, g2 })
            for (int i = 0; i < Length; i++)
            {
                double grad = g[i] + wd * expected[i];
                h[i] += grad * grad;
                expected[i] -= lr * grad / (Math.Sqrt(h[i]) + eps);
            }
        var adagrad = new Adagrad(Length, (float)lr, (float)wd);
        adagrad.Step(theta, g1);
        adagrad.Step(theta, g2);
        AssertClose(expected, theta);
    }

    [Fact]
    public void SgdMomentumMatchesTheHeavyBallFormula()
    {
        (float[] theta, float[] g1, float[] g2) = Start();
        double lr = 0.1, mu = 0.9, wd = 0.5;
        var expected = theta.Select(v => (double)v).ToArray();
        var velocity = new double[Length];
        foreach (float[] g in new[] { g1, g2 })
            for (int i = 0; i < Length; i++)
            {
                velocity[i] = mu * velocity[i] + g[i] + wd * expected[i];
                expected[i] -= lr * velocity[i];
            }
        var sgd = new SgdMomentum(Length, (float)lr, (float)wd, (float)mu);
        sgd.Step(theta, g1);
        sgd.Step(theta, g2);
        AssertClose(expected, theta);
    }

    [Fact]
    public void RestoreContinuesExactly()
    {
        (float[] theta, float[] g1, float[] g2) = Start();
        float[] copy = (float[])theta.Clone();
        var straight = new Adam(Length, 0.01f);
        straight.Step(theta, g1);
        straight.Step(theta, g2);
        var first = new Adam(Length, 0.01f);
        first.Step(copy, g1);
        var resumed = new Adam(Length, 0.01f);
        resumed.Restore(first.Steps, first.State.Select(s => (float[])s.Clone()).ToList());
        resumed.Step(copy, g2);
        Assert.Equal(theta, copy);
        Assert.Throws<ArgumentException>(() => resumed.Restore(1, [new float[Length]]));
    }

    [Fact]
    public void BadSettingsAreRefused()
    {
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new Adam(5, 0f)).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentException>(() => new SgdMomentum(5, 0.1f, 0f, 1.5f)).Message);
        Assert.Throws<ArgumentException>(() => new Adagrad(5, 0.1f).Step(new float[5], new float[4]));
    }
}
