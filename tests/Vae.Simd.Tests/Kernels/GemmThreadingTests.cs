using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Vae.Simd.Kernels;
using Vae.Simd.Tensors;
using static Vae.Simd.Tests.Kernels.GemmTests;

namespace Vae.Simd.Tests.Kernels;

/// <summary>The threaded GEMM runs alone (<see cref="ThreadedCollection"/>); with enough pool threads ready, a second thread joins within a few tries.</summary>
[Collection(nameof(ThreadedCollection))]
public class GemmThreadingTests
{
    /// <summary>
    /// Problems big enough that a split pays even on a busy 2-core machine: 1.2–2.4 GFLOP, ~5 ms or more
    /// per slab (measured here: a pool thread under load joins a Parallel.For whose iterations last 5 ms,
    /// while 0.4 ms iterations all ran on the caller). Sizes are odd as often as not.
    /// </summary>
    public static class ThreadedProblems
    {
        public static Arbitrary<Problem> Problems() =>
            (from m in Gen.Choose(700, 900)
             from n in Gen.Choose(700, 900)
             from k in Gen.Choose(1000, 1300)
             from ta in Gen.Elements(Transpose.No, Transpose.Yes)
             from tb in Gen.Elements(Transpose.No, Transpose.Yes)
             from pads in Gen.Choose(0, 3).Three()
             from beta in Gen.Elements(0f, 1f)
             from seed in Gen.Choose(0, int.MaxValue)
             select new Problem(m, n, k, ta, tb, pads.Item1, pads.Item2, pads.Item3, 1f, beta, seed)).ToArbitrary();
    }

    /// <summary>
    /// The threaded GEMM against the reference (every edge row and column of C and ~4,000 entries spread
    /// over it, to keep the double reference cheap), and more than one thread must have done part of it.
    /// </summary>
    [Property(MaxTest = 4, Arbitrary = [typeof(ThreadedProblems)])]
    public bool ThreadedMatchesDoubleReference(Problem p)
    {
        int threads = 0;
        Assert.True(Check(p, portable: false, threads: 3, sampled: true, threadsUsed: n => threads = n));
        Assert.True(threads > 1, $"only {threads} thread took part in {p}");
        return true;
    }
}
