using System.Diagnostics;

namespace Vae.Simd.Training;

/// <summary>
/// A training step's two parallel phases — the shards, then the update chunks — in one <c>Parallel.For</c> call.
/// Each participant claims shards until none is left, waits until every shard is done, then claims update chunks.
/// The participant that finishes the last shard runs the step's check between the phases exactly once; it decides
/// whether the update runs at all, so a refused step updates nothing.
/// </summary>
/// <remarks>
/// <para>Why one call and not two: with idle pool workers blocking at once (<c>vae</c> sets the pool's spin limit
/// to 0, see the README), a pool worker takes ~45 µs to wake, and a second <c>Parallel.For</c> a step paid that
/// wake-up again between the phases (the worker had just gone to sleep). Measured on the 2-vCPU host, 2 threads,
/// 784-400-20, batch 128 (bench/RESULTS.md): the worker started its shard 45 µs (median) after the call and its
/// first update chunk 48 µs after the second call, of a 2.6 ms step.</para>
/// <para>No deadlock whatever the pool gives: a participant only waits for shards that other running participants
/// have claimed, and with one thread (or one participant at a time) the first participant runs every shard itself.
/// Which thread runs a shard or a chunk never changes its result, so the bits do not depend on the threads.</para>
/// </remarks>
internal sealed class TwoPhaseLoop
{
    private const int Closed = 0, Proceed = 1, Stop = 2;

    /// <summary>How long a participant spins for the last shard before it blocks: longer than the usual spread of two shards' end times (p90 39 µs).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    private readonly Action<int> _first;
    private readonly Func<bool> _between;
    private readonly Action<int> _second;
    private readonly int _threads;
    private readonly ParallelOptions _parallel;
    private readonly Action<int> _participant;
    private readonly ManualResetEventSlim _opened = new(false, spinCount: 0);
    private int _firstCount, _secondCount;
    private int _nextFirst, _doneFirst, _nextSecond;
    private volatile int _gate;

    /// <param name="first">Runs first-phase item i.</param>
    /// <param name="between">Runs once, after every first-phase item is done and before any second-phase item; false skips the second phase.</param>
    /// <param name="second">Runs second-phase item i.</param>
    /// <param name="threads">The most threads to use.</param>
    public TwoPhaseLoop(Action<int> first, Func<bool> between, Action<int> second, int threads)
    {
        _first = first;
        _between = between;
        _second = second;
        _threads = threads;
        // Created once: a step passes these to Parallel.For and builds no delegate or options of its own.
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        _participant = Participate;
    }

    /// <summary>Runs <paramref name="firstCount"/> first-phase items, the check, then (if it passed) <paramref name="secondCount"/> second-phase items; returns the check's answer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no first-phase item (the check would have no one to run it).</exception>
    public bool Run(int firstCount, int secondCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstCount, 1);
        _firstCount = firstCount;
        _secondCount = secondCount;
        _nextFirst = _doneFirst = _nextSecond = 0;
        _opened.Reset();
        _gate = Closed;
        int participants = Math.Min(_threads, Math.Max(firstCount, secondCount));
        if (participants <= 1) Participate(0);
        else Parallel.For(0, participants, _parallel, _participant);
        return _gate == Proceed;
    }

    private void Participate(int unused)
    {
        try
        {
            for (int i; (i = Interlocked.Increment(ref _nextFirst) - 1) < _firstCount;)
            {
                _first(i);
                if (Interlocked.Increment(ref _doneFirst) == _firstCount) Open(_between() ? Proceed : Stop);
            }
        }
        catch
        {
            // Waiting participants must not wait for a shard that will never finish; Parallel.For rethrows this.
            Open(Stop);
            throw;
        }
        WaitUntilOpen();
        if (_gate != Proceed) return;
        for (int i; (i = Interlocked.Increment(ref _nextSecond) - 1) < _secondCount;) _second(i);
    }

    private void Open(int state)
    {
        if (Interlocked.CompareExchange(ref _gate, state, Closed) == Closed) _opened.Set();
    }

    private void WaitUntilOpen()
    {
        if (_gate != Closed) return;
        // The other shard usually ends within tens of microseconds: spin that long (yielding, never sleeping), then block.
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        var spinner = new SpinWait();
        while (_gate == Closed)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                _opened.Wait();
                return;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
