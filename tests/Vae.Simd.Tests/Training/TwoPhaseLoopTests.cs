using FsCheck;
using FsCheck.Fluent;
using Vae.Simd.Training;

namespace Vae.Simd.Tests.Training;

[Collection(nameof(ThreadedCollection))]
public class TwoPhaseLoopTests
{
    /// <summary>What one Run did, in the order things happened (a shared ticket counter orders them across threads).</summary>
    private sealed class Log(int firstCount, int secondCount)
    {
        private int _ticket;
        public readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> Threads = new();
        public readonly int[] FirstRuns = new int[firstCount], SecondRuns = new int[secondCount];
        public readonly int[] FirstEnd = new int[firstCount], SecondStart = new int[secondCount];
        public int BetweenRuns, BetweenAt;

        public int Ticket() => Interlocked.Increment(ref _ticket);
    }

    [Fact]
    public void EveryItemRunsOnceAndTheCheckRunsOnceBetweenThePhases()
    {
        // The orderings asserted below say something only if participants really ran side by side: on a busy
        // machine few runs get a second thread, so the property runs again (new cases) until 20 runs had one.
        int runsOnSeveralThreads = 0, rounds = 0;
        for (; rounds < 8 && runsOnSeveralThreads < 20; rounds++)
        {
            Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
            {
                var random = new Random(seed);
                int firstCount = random.Next(1, 10), secondCount = random.Next(0, 70), threads = random.Next(1, 9);
                bool proceed = random.Next(4) != 0;
                Log log = null!;
                var loop = new TwoPhaseLoop(
                    i =>
                    {
                        Interlocked.Increment(ref log.FirstRuns[i]);
                        log.Threads[Environment.CurrentManagedThreadId] = true;
                        Thread.SpinWait(i * 7919 % 13 * 1000); // unequal items up to ~0.3 ms, so their ends spread and a late worker finds items left
                        log.FirstEnd[i] = log.Ticket();
                    },
                    () =>
                    {
                        Interlocked.Increment(ref log.BetweenRuns);
                        log.BetweenAt = log.Ticket();
                        return proceed;
                    },
                    i =>
                    {
                        log.SecondStart[i] = log.Ticket();
                        Interlocked.Increment(ref log.SecondRuns[i]);
                    },
                    threads);
                // Twice on the same loop: its state must be reset by Run.
                for (int run = 0; run < 2; run++)
                {
                    log = new Log(firstCount, secondCount);
                    bool result = loop.Run(firstCount, secondCount);
                    string what = $"seed {seed}, run {run}: {firstCount} first, {secondCount} second, {threads} threads, check says {proceed}";
                    Assert.True(result == proceed, what);
                    Assert.True(log.FirstRuns.All(n => n == 1), $"{what}: first-phase runs {string.Join(",", log.FirstRuns)}");
                    Assert.True(log.BetweenRuns == 1, $"{what}: the check ran {log.BetweenRuns} times");
                    Assert.True(log.FirstEnd.All(t => t < log.BetweenAt), $"{what}: the check ran before a first-phase item ended");
                    Assert.True(log.SecondRuns.All(n => n == (proceed ? 1 : 0)), $"{what}: second-phase runs {string.Join(",", log.SecondRuns)}");
                    if (proceed) Assert.True(log.SecondStart.All(t => t > log.BetweenAt), $"{what}: a second-phase item started before the check");
                    if (log.Threads.Count > 1) runsOnSeveralThreads++;
                }
                return true;
            }).QuickCheckThrowOnFailure();
        }
        Assert.True(runsOnSeveralThreads >= 20, $"only {runsOnSeveralThreads} of {rounds * 200} runs had first-phase items on more than one thread");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public async Task AFailingFirstItemStopsTheLoopWithItsExceptionAndNoSecondPhase(int threads)
    {
        int secondRuns = 0, betweenRuns = 0;
        using var failingStarted = new ManualResetEventSlim();
        var loop = new TwoPhaseLoop(
            i =>
            {
                // With more than one thread, item 0 ends only once item 1 runs elsewhere, and item 1 fails only after
                // the other participant has run out of items and waits for it.
                if (i == 0 && threads > 1) Assert.True(failingStarted.Wait(TimeSpan.FromSeconds(20)), "item 1 never ran beside item 0");
                if (i != 1) return;
                failingStarted.Set();
                Thread.Sleep(100);
                throw new InvalidOperationException("shard 1 failed");
            },
            () => { Interlocked.Increment(ref betweenRuns); return true; },
            _ => Interlocked.Increment(ref secondRuns),
            threads);
        // A participant waiting for the failed item must be released: the test fails by timing out if not.
        Task<Exception?> run = Task.Run<Exception?>(() => Record.Exception(() => loop.Run(4, 16)));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))));
        Exception? thrown = await run;
        Exception inner = thrown is AggregateException aggregate ? aggregate.Flatten().InnerExceptions.Single() : thrown!;
        Assert.Equal("shard 1 failed", inner.Message);
        Assert.Equal(0, betweenRuns);
        Assert.Equal(0, secondRuns);
    }

    [Fact]
    public void ANumberOfFirstItemsBelowOneIsRefused()
    {
        var loop = new TwoPhaseLoop(_ => { }, () => true, _ => { }, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => loop.Run(0, 4));
    }
}
