using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vae.Simd.Tensors;

namespace Vae.Simd.Autodiff;

/// <summary>
/// Records the forward computation of one minibatch as a flat list of operations and runs it backwards
/// (reverse-mode automatic differentiation).
/// </summary>
/// <remarks>
/// <para>Build a graph with the op methods (<see cref="TapeOps"/>: <c>tape.Linear(x, w, b)</c>,
/// <c>tape.Tanh(h)</c>, …), each returning a <see cref="Var"/>; call <see cref="Backward(Var)"/> on a scalar.
/// Leaves are parameters bound to external memory (<see cref="Parameter(Memory{T}, Memory{T}, TensorShape)"/>,
/// whose gradients accumulate with <c>+=</c> into the caller's buffer), inputs without gradient
/// (<see cref="Input(TensorShape)"/>), or variables with a tape-owned gradient (<see cref="Variable"/>).</para>
/// <para>Buffers belong to slots, and <see cref="Reset"/> keeps them: recording the same graph again
/// allocates nothing. With <c>recordGradients: false</c> the same ops run as plain inference, with no
/// records and no gradient buffers.</para>
/// <para>The element type is <see cref="float"/> for training and <see cref="double"/> for gradient
/// checking (<see cref="GradCheck"/>): the derivative rules are written once, generically, and the
/// float path runs on the SIMD kernels. A tape is used by one thread at a time.</para>
/// </remarks>
public sealed class Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private struct Slot
    {
        public TensorShape Shape;
        public Memory<T> Value;
        public Memory<T> Gradient;
        public bool RequiresGradient;
        public bool OwnsGradient;
        // The slot whose flag says whether this gradient's memory was written in the current backward pass:
        // itself, or the slot it is a reshaped view of, or an earlier parameter bound to the same gradient memory.
        public int GradientRoot;
        // Set on a root when its gradient holds this pass's contributions (or was cleared); see Gradient and GradientToWrite.
        public bool GradientWritten;
        // A parameter gradient that partly overlaps another's: always accumulated into, never overwritten.
        public bool AccumulateOnly;
    }

    private Slot[] _slots = new Slot[32];
    private T[]?[] _values = new T[32][];
    private T[]?[] _gradients = new T[32][];
    private OpRecord[] _ops = new OpRecord[32];
    private int _slotCount;
    private int _opCount;

    /// <summary>A tape that records gradients (<paramref name="recordGradients"/> true) or only runs forward.</summary>
    public Tape(bool recordGradients = true) => RecordsGradients = recordGradients;

    /// <summary>Whether ops are recorded for <see cref="Backward(Var)"/>; false is inference mode.</summary>
    public bool RecordsGradients { get; }

    /// <summary>The number of values recorded since the last <see cref="Reset"/>.</summary>
    public int Count => _slotCount;

    /// <summary>The ops recorded since the last <see cref="Reset"/>, in order (read by <see cref="GradCheck"/> to find kinks).</summary>
    internal ReadOnlySpan<OpRecord> Records => _ops.AsSpan(0, _opCount);

    /// <summary>Forgets the recorded graph but keeps every buffer for the next one.</summary>
    public void Reset()
    {
        _slotCount = 0;
        _opCount = 0;
    }

    /// <summary>
    /// A parameter whose value lives in <paramref name="value"/> and whose gradient is ADDED to
    /// <paramref name="gradient"/> by <see cref="Backward(Var)"/> (the caller zeroes it when it wants).
    /// </summary>
    /// <exception cref="ArgumentException">A buffer's length differs from the shape's.</exception>
    public Var Parameter(Memory<T> value, Memory<T> gradient, TensorShape shape)
    {
        RequireLength(value.Length, shape, "parameter value");
        if (RecordsGradients) RequireLength(gradient.Length, shape, "parameter gradient");
        if (!RecordsGradients) return AddSlot(new Slot { Shape = shape, Value = value });
        var slot = new Slot { Shape = shape, Value = value, Gradient = gradient, RequiresGradient = true, GradientRoot = _slotCount, GradientWritten = true };
        // Parameters bound twice to one gradient buffer share one written-flag; partial overlaps are only ever added to.
        Span<T> memory = gradient.Span;
        for (int i = 0; i < _slotCount; i++)
        {
            ref Slot other = ref _slots[i];
            if (!other.RequiresGradient || other.OwnsGradient || !memory.Overlaps(other.Gradient.Span)) continue;
            if (other.Gradient.Length == gradient.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(memory), ref MemoryMarshal.GetReference(other.Gradient.Span)))
                slot.GradientRoot = other.GradientRoot;
            else
            {
                slot.AccumulateOnly = true;
                _slots[other.GradientRoot].AccumulateOnly = true;
            }
        }
        return AddSlot(slot);
    }

    /// <summary>A parameter used without gradient (inference).</summary>
    public Var Parameter(Memory<T> value, TensorShape shape)
    {
        RequireLength(value.Length, shape, "parameter value");
        return AddSlot(new Slot { Shape = shape, Value = value });
    }

    /// <summary>An input with a tape-owned buffer for the caller to fill through <see cref="Value"/>; no gradient.</summary>
    public Var Input(TensorShape shape) => NewValue(shape, requiresGradient: false);

    /// <summary>An input holding a copy of <paramref name="values"/>; no gradient.</summary>
    public Var Input(ReadOnlySpan<T> values, TensorShape shape)
    {
        RequireLength(values.Length, shape, "input");
        Var v = NewValue(shape, requiresGradient: false);
        values.CopyTo(Value(v));
        return v;
    }

    /// <summary>A leaf holding a copy of <paramref name="values"/> whose gradient the tape keeps (read it with <see cref="Gradient"/>).</summary>
    public Var Variable(ReadOnlySpan<T> values, TensorShape shape)
    {
        RequireLength(values.Length, shape, "variable");
        Var v = NewValue(shape, requiresGradient: RecordsGradients);
        values.CopyTo(Value(v));
        return v;
    }

    /// <summary>
    /// <paramref name="x"/> seen with another shape of the same length: a view, not an op. It shares x's value and
    /// gradient buffers, so whatever flows back into the view lands in x's gradient with nothing to record.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public Var Reshape(Var x, TensorShape shape)
    {
        Slot source = SlotOf(x);
        RequireLength(source.Shape.Length, shape, "reshaped value");
        return AddSlot(source with { Shape = shape, OwnsGradient = false, GradientRoot = source.GradientRoot });
    }

    /// <summary>
    /// <paramref name="x"/>'s value with no gradient (a stop-gradient): a view, so nothing computed from it sends a
    /// gradient back into x — what a phase of wake-sleep needs to treat the other network's output as data.
    /// </summary>
    public Var Detach(Var x)
    {
        Slot source = SlotOf(x);
        return AddSlot(new Slot { Shape = source.Shape, Value = source.Value });
    }

    /// <summary>The value of <paramref name="v"/>.</summary>
    public Span<T> Value(Var v) => SlotOf(v).Value.Span;

    /// <summary>The gradient of the last <see cref="Backward(Var)"/> with respect to <paramref name="v"/> (empty if it has none).</summary>
    /// <remarks>
    /// One exception, for speed: the output of a <c>Linear</c> op with an activation holds, after <see cref="Backward(Var)"/>,
    /// the gradient with respect to its pre-activation, dy ⊙ act′(y) — the op's backward turns the buffer into that
    /// in place, because no op reads it afterwards. Use an activation op after a plain <c>Linear</c> to read dy itself.
    /// </remarks>
    public Span<T> Gradient(Var v)
    {
        ref Slot slot = ref SlotOf(v);
        if (slot.RequiresGradient)
        {
            // A gradient nothing wrote yet in this backward pass holds old values (the tape's own from the last pass,
            // or a parameter's from the caller under ParameterGradients.Overwrite): it is cleared before use.
            ref Slot root = ref _slots[slot.GradientRoot];
            if (!root.GradientWritten)
            {
                root.Gradient.Span.Clear();
                root.GradientWritten = true;
            }
        }
        return slot.Gradient.Span;
    }

    /// <summary>
    /// The gradient of <paramref name="v"/> for an op that writes its whole contribution in one go:
    /// <paramref name="beta"/> is 0 when nothing has been written to it in this backward pass (the op overwrites
    /// every element, so no clearing pass is needed) and 1 otherwise (the op adds).
    /// </summary>
    internal Span<T> GradientToWrite(Var v, out T beta)
    {
        ref Slot slot = ref SlotOf(v);
        ref Slot root = ref _slots[slot.GradientRoot];
        beta = root.GradientWritten ? T.One : T.Zero;
        root.GradientWritten = true;
        return slot.Gradient.Span;
    }

    /// <summary>The shape of <paramref name="v"/>.</summary>
    public TensorShape Shape(Var v) => SlotOf(v).Shape;

    /// <summary>Whether gradients flow to <paramref name="v"/>.</summary>
    public bool RequiresGradient(Var v) => SlotOf(v).RequiresGradient;

    /// <summary>The single element of a one-element value, such as a loss.</summary>
    public T Scalar(Var v)
    {
        ref Slot slot = ref SlotOf(v);
        if (slot.Shape.Length != 1)
            throw new ArgumentException($"Scalar: {v} has shape {slot.Shape}, not a single element.", nameof(v));
        return slot.Value.Span[0];
    }

    /// <summary>
    /// Back-propagates from the one-element <paramref name="loss"/> (seeded with 1): starts the
    /// gradients the tape owns from zero, then walks the records in reverse, each op adding its vector-Jacobian
    /// product into its inputs' gradients.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tape is in inference mode.</exception>
    /// <exception cref="ArgumentException">The loss is not a single element.</exception>
    public void Backward(Var loss) => Backward(loss, ParameterGradients.Accumulate);

    /// <summary>
    /// Back-propagates from the one-element <paramref name="loss"/> (seeded with 1), like <see cref="Backward(Var)"/>;
    /// with <see cref="ParameterGradients.Overwrite"/> each parameter's gradient buffer is set to this loss's
    /// gradient (zero for parameters the loss does not depend on) instead of added to, so the caller need not clear it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tape is in inference mode.</exception>
    /// <exception cref="ArgumentException">The loss is not a single element.</exception>
    public void Backward(Var loss, ParameterGradients parameterGradients)
    {
        if (!RecordsGradients)
            throw new InvalidOperationException("Backward: this tape runs in inference mode (recordGradients: false) and recorded no gradients.");
        ref Slot lossSlot = ref SlotOf(loss);
        if (lossSlot.Shape.Length != 1)
            throw new ArgumentException($"Backward: the loss must be a single element; {loss} has shape {lossSlot.Shape}.", nameof(loss));
        bool overwrite = parameterGradients == ParameterGradients.Overwrite;
        for (int i = 0; i < _slotCount; i++)
        {
            ref Slot slot = ref _slots[i];
            // An owned gradient is cleared when first read (Gradient) or not at all when its first writer overwrites
            // it (GradientToWrite, β = 0): the big ones (the logits', the hidden layers') are written whole, so no
            // clearing pass and no read of zeros precede them.
            if (slot.OwnsGradient)
            {
                slot.GradientWritten = false;
                continue;
            }
            if (!slot.RequiresGradient || slot.GradientRoot != i) continue;
            else if (overwrite && slot.AccumulateOnly) slot.Gradient.Span.Clear();
            else if (overwrite)
            {
                slot.GradientWritten = false;
                continue;
            }
            slot.GradientWritten = true;
        }
        if (lossSlot.RequiresGradient)
        {
            Gradient(loss)[0] = T.One;
            for (int i = _opCount - 1; i >= 0; i--)
                BackwardOne(in _ops[i]);
        }
        if (!overwrite) return;
        for (int i = 0; i < _slotCount; i++)
        {
            ref Slot slot = ref _slots[i];
            if (slot.RequiresGradient && !slot.OwnsGradient && slot.GradientRoot == i && !slot.GradientWritten)
            {
                slot.Gradient.Span.Clear();
                slot.GradientWritten = true;
            }
        }
    }

    /// <summary>The one place where every op's backward is listed.</summary>
    private void BackwardOne(in OpRecord op)
    {
        switch (op.Kind)
        {
            case OpKind.Linear: LinearOp.Backward(this, in op); break;
            case OpKind.MatMul: MatMulOp.Backward(this, in op); break;
            case OpKind.Add: AddOp.Backward(this, in op); break;
            case OpKind.Subtract: SubtractOp.Backward(this, in op); break;
            case OpKind.Multiply: MultiplyOp.Backward(this, in op); break;
            case OpKind.Scale: ScaleOp.Backward(this, in op); break;
            case OpKind.Exp: ExpOp.Backward(this, in op); break;
            case OpKind.Log: LogOp.Backward(this, in op); break;
            case OpKind.Tanh: TanhOp.Backward(this, in op); break;
            case OpKind.Relu: ReluOp.Backward(this, in op); break;
            case OpKind.Sigmoid: SigmoidOp.Backward(this, in op); break;
            case OpKind.Softplus: SoftplusOp.Backward(this, in op); break;
            case OpKind.Square: SquareOp.Backward(this, in op); break;
            case OpKind.Sum: SumOp.Backward(this, in op); break;
            case OpKind.Mean: MeanOp.Backward(this, in op); break;
            case OpKind.RowSum: RowSumOp.Backward(this, in op); break;
            case OpKind.RowLogSumExp: RowLogSumExpOp.Backward(this, in op); break;
            case OpKind.BernoulliLogLikelihood: BernoulliLogLikelihoodOp.Backward(this, in op); break;
            case OpKind.GaussianLogLikelihood: GaussianLogLikelihoodOp.Backward(this, in op); break;
            case OpKind.StandardNormalLogDensity: StandardNormalLogDensityOp.Backward(this, in op); break;
            case OpKind.KlStandardNormal: KlStandardNormalOp.Backward(this, in op); break;
            case OpKind.Reparameterize: ReparameterizeOp.Backward(this, in op); break;
            case OpKind.LogAddExp: LogAddExpOp.Backward(this, in op); break;
            case OpKind.ContinuousBernoulliLogLikelihood: ContinuousBernoulliLogLikelihoodOp.Backward(this, in op); break;
            case OpKind.RepeatRows: RepeatRowsOp.Backward(this, in op); break;
            default: throw new InvalidOperationException($"Backward: no rule for op {op.Kind}.");
        }
    }

    /// <summary>A new tape-owned value (and gradient, when it requires one), reusing the slot's buffers.</summary>
    internal Var NewValue(TensorShape shape, bool requiresGradient)
    {
        int index = _slotCount;
        EnsureSlotCapacity(index + 1);
        T[]? values = _values[index];
        if (values is null || values.Length < shape.Length) _values[index] = values = new T[shape.Length];
        var slot = new Slot { Shape = shape, Value = values.AsMemory(0, shape.Length) };
        if (requiresGradient && RecordsGradients)
        {
            T[]? gradients = _gradients[index];
            if (gradients is null || gradients.Length < shape.Length) _gradients[index] = gradients = new T[shape.Length];
            slot.Gradient = gradients.AsMemory(0, shape.Length);
            slot.RequiresGradient = true;
            slot.OwnsGradient = true;
            slot.GradientRoot = index;
            slot.GradientWritten = true;
        }
        _slots[index] = slot;
        _slotCount++;
        return new Var(index);
    }

    /// <summary>The result of an op: it needs a gradient when any of its inputs has one.</summary>
    internal Var NewResult(TensorShape shape, Var a) => NewValue(shape, RequiresGradient(a));

    internal Var NewResult(TensorShape shape, Var a, Var b) => NewValue(shape, RequiresGradient(a) || RequiresGradient(b));

    internal Var NewResult(TensorShape shape, Var a, Var b, Var c) =>
        NewValue(shape, RequiresGradient(a) || RequiresGradient(b) || RequiresGradient(c));

    /// <summary>Appends a record when its output needs a gradient; inference and constant subgraphs record nothing.</summary>
    internal void Record(in OpRecord op)
    {
        if (!_slots[op.Output].RequiresGradient) return;
        if (_opCount == _ops.Length) Array.Resize(ref _ops, _ops.Length * 2);
        _ops[_opCount++] = op;
    }

    private Var AddSlot(Slot slot)
    {
        EnsureSlotCapacity(_slotCount + 1);
        _slots[_slotCount] = slot;
        return new Var(_slotCount++);
    }

    private void EnsureSlotCapacity(int needed)
    {
        if (needed <= _slots.Length) return;
        int size = Math.Max(needed, _slots.Length * 2);
        Array.Resize(ref _slots, size);
        Array.Resize(ref _values, size);
        Array.Resize(ref _gradients, size);
    }

    private ref Slot SlotOf(Var v)
    {
        if ((uint)v.Slot >= (uint)_slotCount)
            throw new ArgumentException($"{v} is not a value of this tape since its last Reset ({_slotCount} values recorded).", nameof(v));
        return ref _slots[v.Slot];
    }

    private static void RequireLength(int length, TensorShape shape, string what)
    {
        if (length != shape.Length)
            throw new ArgumentException($"The {what} has {length} elements but shape {shape} needs {shape.Length}.");
    }
}
