namespace Vae.Simd.Training;

/// <summary>Which optimizer a trainer uses.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum.</summary>
    Sgd,
    /// <summary>Adagrad, the paper's choice.</summary>
    Adagrad,
    /// <summary>Adam, the common modern choice.</summary>
    Adam,
}

/// <summary>
/// Updates a flat parameter buffer from a flat gradient buffer of the same layout, in one vectorised
/// pass, allocation-free. Weight decay λ is the paper's Gaussian prior on the parameters: it adds λ·θ to
/// the gradient of the loss (the negative ELBO per example), i.e. a prior N(0, 1/λ) per weight at the
/// scale of one example.
/// </summary>
public abstract class Optimizer
{
    /// <summary>An optimizer for a buffer of <paramref name="length"/> parameters.</summary>
    protected Optimizer(int length, float learningRate, float weightDecay)
    {
        if (length < 1) throw new ArgumentException($"Optimizer: the parameter buffer must not be empty; got {length}.", nameof(length));
        if (!(learningRate > 0f) || !float.IsFinite(learningRate)) throw new ArgumentException($"Optimizer: the learning rate must be a positive finite number; got {learningRate}.", nameof(learningRate));
        if (!(weightDecay >= 0f) || !float.IsFinite(weightDecay)) throw new ArgumentException($"Optimizer: weight decay must be ≥ 0 and finite; got {weightDecay}.", nameof(weightDecay));
        Length = length;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The number of parameters.</summary>
    public int Length { get; }

    /// <summary>The step size.</summary>
    public float LearningRate { get; }

    /// <summary>λ of the L2 prior.</summary>
    public float WeightDecay { get; }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; protected set; }

    /// <summary>Which optimizer this is.</summary>
    public abstract OptimizerKind Kind { get; }

    /// <summary>The optimizer's state arrays (moments, accumulators), for checkpoints; modified in place by <see cref="Step"/>.</summary>
    public abstract IReadOnlyList<float[]> State { get; }

    /// <summary>Applies one update to <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">A buffer's length differs from <see cref="Length"/>.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != Length || gradients.Length != Length)
            throw new ArgumentException($"Optimizer.Step: expected {Length} parameters and gradients; got {parameters.Length} and {gradients.Length}.");
        Steps++;
        UpdateRange(parameters, gradients, [], 0);
    }

    /// <summary>
    /// Applies the update to elements [start, start + count) only, so a trainer can split one step over
    /// threads; the caller increments the step count once with <see cref="BeginStep"/>. The gradient is
    /// the sum, in shard order, of the shards' gradient buffers (one pass: reduce and update fused).
    /// </summary>
    internal void Update(Span<float> parameters, ReadOnlySpan<float[]> shardGradients, int start, int count) =>
        UpdateRange(parameters.Slice(start, count), shardGradients[0].AsSpan(start, count), shardGradients[1..], start);

    /// <summary>
    /// The update of one range: <paramref name="parameters"/> and <paramref name="gradient"/> are that
    /// range; <paramref name="moreShards"/> are whole buffers added from <paramref name="start"/>.
    /// </summary>
    private protected abstract void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, ReadOnlySpan<float[]> moreShards, int start);

    /// <summary>Counts a step whose update the caller applies in ranges with <see cref="Update"/>.</summary>
    internal void BeginStep() => Steps++;

    /// <summary>Restores the step count and state from a checkpoint.</summary>
    /// <exception cref="ArgumentException">The state does not fit this optimizer.</exception>
    public void Restore(long steps, IReadOnlyList<float[]> state)
    {
        if (steps < 0) throw new ArgumentException($"Optimizer.Restore: the step count must be ≥ 0; got {steps}.");
        if (state.Count != State.Count)
            throw new ArgumentException($"Optimizer.Restore: {Kind} keeps {State.Count} state arrays; got {state.Count}.");
        for (int i = 0; i < state.Count; i++)
        {
            if (state[i].Length != Length)
                throw new ArgumentException($"Optimizer.Restore: state array {i} has {state[i].Length} elements; expected {Length}.");
            state[i].CopyTo(State[i], 0);
        }
        Steps = steps;
    }

    /// <summary>Creates an optimizer of the given kind with the usual defaults for its other settings (Adam's ε as given).</summary>
    public static Optimizer Create(OptimizerKind kind, int length, float learningRate, float weightDecay, float adamEpsilon = TrainerOptions.DefaultAdamEpsilon) => kind switch
    {
        OptimizerKind.Sgd => new SgdMomentum(length, learningRate, weightDecay),
        OptimizerKind.Adagrad => new Adagrad(length, learningRate, weightDecay),
        OptimizerKind.Adam => new Adam(length, learningRate, weightDecay, epsilon: adamEpsilon),
        _ => throw new ArgumentException($"Unknown optimizer {kind}.", nameof(kind)),
    };
}
