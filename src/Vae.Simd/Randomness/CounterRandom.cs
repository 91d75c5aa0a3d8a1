using System.Runtime.CompilerServices;

namespace Vae.Simd.Randomness;

/// <summary>
/// A counter-based random stream (Philox4x32-10, as used by cuRAND, JAX and PyTorch). Each number is a
/// pure function of (seed, stream, position), so the noise for "example 17 of step 930" is the same
/// whichever thread draws it and in whatever order: this is what makes training bitwise deterministic
/// across thread counts. A stream is a value type and allocates nothing.
/// </summary>
public struct CounterRandom
{
    private readonly uint _key0, _key1;
    private readonly uint _stream0, _stream1;
    private ulong _block;
    private uint _r0, _r1, _r2, _r3;
    private int _used;
    private float _spareNormal;
    private bool _hasSpareNormal;

    /// <summary>A stream identified by <paramref name="seed"/> and a 64-bit stream number.</summary>
    public CounterRandom(ulong seed, ulong stream)
    {
        _key0 = (uint)seed;
        _key1 = (uint)(seed >> 32);
        _stream0 = (uint)stream;
        _stream1 = (uint)(stream >> 32);
        _block = 0;
        _used = 4;
        _r0 = _r1 = _r2 = _r3 = 0;
        _spareNormal = 0;
        _hasSpareNormal = false;
    }

    /// <summary>
    /// The stream for one purpose and two coordinates, e.g. (<c>Purpose.Noise</c>, step, example index).
    /// Coordinates are mixed into a 64-bit stream number, so distinct triples give independent streams.
    /// </summary>
    public static CounterRandom For(ulong seed, ulong purpose, ulong first, ulong second = 0) =>
        new(seed, Mix(Mix(Mix(purpose) ^ first) ^ second));

    /// <summary>The next 32 uniformly distributed bits.</summary>
    public uint NextUInt32()
    {
        if (_used == 4) Refill();
        uint value = _used switch { 0 => _r0, 1 => _r1, 2 => _r2, _ => _r3 };
        _used++;
        return value;
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64() => ((ulong)NextUInt32() << 32) | NextUInt32();

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt32() >> 8) * (1f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), $"The bound must be positive; got {bound}.");
        ulong product = (ulong)NextUInt32() * (uint)bound;
        uint low = (uint)product;
        if (low < (uint)bound)
        {
            uint threshold = (uint)(-bound) % (uint)bound;
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * (uint)bound;
                low = (uint)product;
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>A standard normal sample (Box–Muller in double precision, one spare kept for the next call).</summary>
    public float NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        // 1 - u keeps the logarithm's argument in (0, 1].
        double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - NextDouble()));
        double angle = 2.0 * Math.PI * NextDouble();
        _spareNormal = (float)(radius * Math.Sin(angle));
        _hasSpareNormal = true;
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal samples.</summary>
    public void FillNormal(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = NextNormal();
    }

    /// <summary>Fills <paramref name="destination"/> with N(0, σ²) samples.</summary>
    public void FillNormal(Span<float> destination, float standardDeviation)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = standardDeviation * NextNormal();
    }

    /// <summary>Fills <paramref name="destination"/> with uniform samples in [low, high).</summary>
    public void FillUniform(Span<float> destination, float low, float high)
    {
        float width = high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = low + width * NextFloat();
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private void Refill()
    {
        (_r0, _r1, _r2, _r3) = Philox((uint)_block, (uint)(_block >> 32), _stream0, _stream1, _key0, _key1);
        _block++;
        _used = 0;
    }

    /// <summary>Philox4x32 with 10 rounds (Salmon et al., SC'11): the counter (c0..c3) under key (k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (uint, uint, uint, uint) Philox(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n1 = (uint)p1;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            uint n3 = (uint)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        return (c0, c1, c2, c3);
    }
}
