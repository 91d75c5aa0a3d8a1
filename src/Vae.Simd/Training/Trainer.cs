using System.Diagnostics;
using Vae.Simd.Data;
using Vae.Simd.Kernels;
using Vae.Simd.Model;
using Vae.Simd.Randomness;

namespace Vae.Simd.Training;

/// <summary>
/// Minibatch SGVB training of a <see cref="VariationalAutoencoder"/>. Each minibatch is cut into fixed
/// shards; <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> runs every shard on its own tape and
/// gradient buffer; the shard gradients are added in shard order and one optimizer step follows, itself one
/// parallel loop over chunks of the parameter buffer. The objective is the ELBO or the IWAE bound
/// (<see cref="ElboOptions.Objective"/>); <see cref="TrainerOptions.Algorithm"/> = <see cref="TrainingAlgorithm.WakeSleep"/>
/// runs wake-sleep's two phases in each shard instead, under the same sharding, optimizer and determinism.
/// </summary>
/// <remarks>
/// Deterministic: the epoch's order comes from (seed, epoch), each example's noise ε from
/// (seed, step, example index), and the reduction order is fixed, so the same seed and options give
/// bitwise the same parameters with any thread count. The full state is the parameters, the optimizer
/// state, <see cref="Epoch"/>, <see cref="BatchInEpoch"/> and <see cref="Step"/>; restoring them resumes
/// bitwise. After the first step our code allocates nothing in a step; what <c>Parallel.For</c> itself allocates
/// (its loop state and tasks, two calls a step) is reported by <c>vae bench train</c>.
/// </remarks>
public sealed class Trainer
{
    private readonly VariationalAutoencoder _model;
    private readonly Dataset _data;
    private readonly Shard[] _shards;
    private readonly int[] _order;
    // Parallel.For replaced a dedicated worker pool (spinning threads, no allocation). Measured against it in
    // one process, alternating 30-step rounds on the shared 2-core host, 2 threads, 784-400-20: the paired
    // median ratio Parallel.For / pool was 0.937, 0.986, 0.991 in three runs (≈ 1.4 % slower, within the noise
    // of that host), for ~3.2 KB allocated per step by Parallel.For itself in its two calls a step. Under the
    // 3 % bar, so one parallel primitive serves the whole library. TwoPhaseLoop has since made it one call a
    // step (~1.6 KB).
    private readonly TwoPhaseLoop _loop;
    private readonly float[][] _shardGradients;
    private readonly int _chunks;
    private int _batchRows;
    private int _batchStart;
    private int _shardCount;
    private float _klWeight;
    private int _orderEpoch = -1;

    /// <summary>A trainer for <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid or the data's width differs from the model's input.</exception>
    public Trainer(VariationalAutoencoder model, Dataset data, TrainerOptions options)
    {
        options.Validate();
        RequireCompatible(model.Config, options);
        if (data.Features != model.InputSize)
            throw new ArgumentException($"Trainer: the data ({data.Source}) has {data.Features} values per example but the model takes {model.InputSize}.");
        _model = model;
        _data = data;
        Options = options;
        int parameters = model.Parameters.Length;
        Optimizer = Optimizer.Create(options.Optimizer, parameters, options.LearningRate, options.WeightDecay, options.AdamEpsilon);
        int maxShards = (Math.Min(options.BatchSize, data.Count) + options.ShardSize - 1) / options.ShardSize;
        _shards = new Shard[maxShards];
        for (int i = 0; i < maxShards; i++) _shards[i] = new Shard(model, options);
        _order = new int[data.Count];
        _chunks = Math.Max(1, Math.Min(64, parameters / 4096));
        _shardGradients = Array.ConvertAll(_shards, shard => shard.Gradients);
        _loop = new TwoPhaseLoop(RunShard, CheckShards, UpdateChunk, options.Threads);
    }

    /// <summary>Throws when the model and the options do not make sense together: a Gaussian decoder fitted to binarised data.</summary>
    /// <exception cref="ArgumentException">The likelihood is Gaussian and the inputs are binarised.</exception>
    public static void RequireCompatible(VaeConfig config, TrainerOptions options)
    {
        if (config.Likelihood == Likelihood.Gaussian && options.Binarization.Mode != BinarizationMode.None)
            throw new ArgumentException(
                $"a Gaussian likelihood cannot be trained on binarised data (--binarize {options.Binarization.Mode.ToString().ToLowerInvariant()}): " +
                "on values that are exactly 0 or 1 its density grows without bound as the variance shrinks, so the ELBO measures nothing. " +
                "Use --likelihood bernoulli for binarised data, or --binarize none for intensities.");
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The optimizer (its state is part of a checkpoint).</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; private set; }

    /// <summary>The epoch in progress (0-based).</summary>
    public int Epoch { get; private set; }

    /// <summary>Minibatches of <see cref="Epoch"/> already done.</summary>
    public int BatchInEpoch { get; private set; }

    /// <summary>Minibatches per epoch (the last one may be short).</summary>
    public int BatchesPerEpoch => (_data.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>Puts the trainer at a saved position (with the parameters and optimizer state restored by the caller).</summary>
    /// <exception cref="ArgumentException">The position is impossible for this data set.</exception>
    public void RestorePosition(int epoch, int batchInEpoch, long step)
    {
        if (epoch < 0 || batchInEpoch < 0 || batchInEpoch > BatchesPerEpoch || step < 0)
            throw new ArgumentException($"Trainer: position epoch {epoch}, batch {batchInEpoch}, step {step} is impossible with {BatchesPerEpoch} batches per epoch.");
        Epoch = epoch;
        BatchInEpoch = batchInEpoch;
        Step = step;
    }

    /// <summary>
    /// Trains to the end of the current epoch (or until <paramref name="cancellation"/> is signalled,
    /// checked between steps), reporting progress after every step.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss or a gradient was NaN or infinite; nothing was updated by that step.</exception>
    public EpochSummary RunEpoch(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        long start = Stopwatch.GetTimestamp();
        int epoch = Epoch;
        double elboSum = 0;
        int seen = 0;
        while (BatchInEpoch < BatchesPerEpoch)
        {
            if (cancellation.IsCancellationRequested)
                return new EpochSummary(epoch, seen == 0 ? double.NaN : elboSum / seen, Rate(seen, start), Seconds(start), Completed: false);
            int rows = Math.Min(Options.BatchSize, _data.Count - BatchInEpoch * Options.BatchSize);
            elboSum += TrainBatch();
            seen += rows;
            progress?.Report(new TrainingProgress(epoch, Step, ExamplesSeen(), seen, _data.Count, elboSum / seen, Rate(seen, start), Stopwatch.GetElapsedTime(start)));
        }
        Epoch++;
        BatchInEpoch = 0;
        return new EpochSummary(epoch, elboSum / seen, Rate(seen, start), Seconds(start), Completed: true);
    }

    /// <summary>Takes one optimizer step on the next minibatch; returns the sum of its examples' ELBOs.</summary>
    internal double TrainBatch()
    {
        if (BatchInEpoch >= BatchesPerEpoch)
        {
            Epoch++;
            BatchInEpoch = 0;
        }
        EnsureOrder(Epoch);
        _batchStart = BatchInEpoch * Options.BatchSize;
        _batchRows = Math.Min(Options.BatchSize, _data.Count - _batchStart);
        _shardCount = (_batchRows + Options.ShardSize - 1) / Options.ShardSize;
        _klWeight = Options.Elbo.KlWeight(Step);

        // The shards, then (if their loss and gradients are finite) one pass per chunk of the parameters: add the
        // shard gradients in shard order, then the optimizer update.
        bool updated = _loop.Run(_shardCount, _chunks);
        double elbo = 0, loss = 0;
        for (int s = 0; s < _shardCount; s++) { elbo += _shards[s].ElboSum; loss += _shards[s].Loss; }
        if (!updated)
        {
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(Step, $"the loss is {loss}");
            throw new TrainingDivergedException(Step, "a gradient is NaN or infinite");
        }

        Step++;
        BatchInEpoch++;
        return elbo;
    }

    /// <summary>
    /// Between the phases, once all shards are done: whether the step may update the parameters (its loss and every
    /// gradient finite); if so, the optimizer's step count moves on.
    /// </summary>
    private bool CheckShards()
    {
        double loss = 0;
        bool finite = true;
        for (int s = 0; s < _shardCount; s++) { loss += _shards[s].Loss; finite &= _shards[s].GradientsFinite; }
        if (!double.IsFinite(loss) || !finite) return false;
        Optimizer.BeginStep();
        return true;
    }

    private long ExamplesSeen() => (long)Epoch * _data.Count + Math.Min(_data.Count, (long)BatchInEpoch * Options.BatchSize);

    private void EnsureOrder(int epoch)
    {
        if (_orderEpoch == epoch) return;
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        CounterRandom.For(Options.Seed, RandomPurpose.Shuffle, (ulong)epoch).Shuffle(_order);
        _orderEpoch = epoch;
    }

    private void RunShard(int index)
    {
        int first = index * Options.ShardSize;
        int rows = Math.Min(Options.ShardSize, _batchRows - first);
        _shards[index].Run(_data, _order.AsSpan(_batchStart + first, rows), first, Epoch, Step, _klWeight, _batchRows);
    }

    private (int Start, int Count) ChunkRange(int chunk)
    {
        int length = _model.Parameters.Length;
        // Chunk edges on 16-float boundaries keep each vector loop whole and off shared cache lines.
        int start = (int)((long)length * chunk / _chunks) & ~15;
        int end = chunk == _chunks - 1 ? length : (int)((long)length * (chunk + 1) / _chunks) & ~15;
        return (start, end - start);
    }

    private void UpdateChunk(int chunk)
    {
        (int start, int count) = ChunkRange(chunk);
        Optimizer.Update(_model.ParameterArray, _shardGradients.AsSpan(0, _shardCount), start, count);
    }

    private static double Rate(int examples, long start) => examples / Math.Max(1e-9, Stopwatch.GetElapsedTime(start).TotalSeconds);

    private static double Seconds(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;
}
