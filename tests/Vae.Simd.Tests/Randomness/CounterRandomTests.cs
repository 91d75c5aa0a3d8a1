using Vae.Simd.Randomness;

namespace Vae.Simd.Tests.Randomness;

public class CounterRandomTests
{
    [Fact]
    public void PhiloxMatchesTheRandom123KnownAnswer()
    {
        // Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
        Assert.Equal((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u), CounterRandom.Philox(0, 0, 0, 0, 0, 0));
        Assert.Equal((0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu),
            CounterRandom.Philox(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff));
        Assert.Equal((0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u),
            CounterRandom.Philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    [Fact]
    public void SameCoordinatesGiveSameNumbersAndOthersDiffer()
    {
        var a = CounterRandom.For(42, RandomPurpose.Noise, 7, 3);
        var b = CounterRandom.For(42, RandomPurpose.Noise, 7, 3);
        var c = CounterRandom.For(42, RandomPurpose.Noise, 7, 4);
        var d = CounterRandom.For(43, RandomPurpose.Noise, 7, 3);
        ulong xa = a.NextUInt64(), xb = b.NextUInt64(), xc = c.NextUInt64(), xd = d.NextUInt64();
        Assert.Equal(xa, xb);
        Assert.NotEqual(xa, xc);
        Assert.NotEqual(xa, xd);
    }

    [Fact]
    public void NormalSamplesHaveUnitMomentsAndUniformIntsAreUnbiased()
    {
        var rng = new CounterRandom(1, 2);
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++) { double x = rng.NextNormal(); sum += x; sumSq += x * x; }
        double mean = sum / n, variance = sumSq / n - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);          // 4.5 standard errors
        Assert.InRange(variance, 0.985, 1.015);

        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[rng.NextInt(7)]++;
        double chiSquare = counts.Sum(k => (k - 10_000.0) * (k - 10_000.0) / 10_000.0);
        Assert.True(chiSquare < 22.5, $"chi-square {chiSquare} over 6 degrees of freedom (p < 0.001)");
    }

    [Fact]
    public void ShuffleIsAPermutation()
    {
        var items = Enumerable.Range(0, 1000).ToArray();
        var rng = new CounterRandom(5, 0);
        rng.Shuffle(items);
        Assert.NotEqual(Enumerable.Range(0, 1000), items);
        Assert.Equal(Enumerable.Range(0, 1000), items.Order());
    }
}
