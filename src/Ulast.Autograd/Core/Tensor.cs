using ILGPU;
using ILGPU.Runtime;

namespace Ulast.Autograd;

/// <summary>
/// A float32 tensor (up to 4 dimensions, NCHW for images) in a device buffer, and a node of the
/// autograd graph: the op that made it, its parents and the closure that sends its gradient to them.
/// </summary>
public sealed class Tensor : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _buffer;
    private readonly Tensor? _owner;

    private Tensor(Device device, int[] shape, MemoryBuffer1D<float, Stride1D.Dense>? buffer, Tensor? owner, bool persistent)
    {
        Device = device;
        Shape = shape;
        Size = SizeOf(shape);
        _buffer = buffer;
        _owner = owner;
        Persistent = persistent;
        if (!persistent) TensorScope.Current?.Register(this);
    }

    public Device Device { get; }
    public int[] Shape { get; }
    public int Size { get; }
    public int Rank => Shape.Length;
    /// <summary>Persistent tensors (parameters, running statistics, optimiser state) are owned by no scope.</summary>
    public bool Persistent { get; }
    public bool RequiresGrad { get; set; }
    public Tensor? Grad { get; internal set; }
    /// <summary>Keep the gradient of a non-leaf tensor after backward (normally freed as soon as used).</summary>
    public bool RetainGrad { get; set; }
    public string? Name { get; set; }
    public string Op { get; set; } = "leaf";
    public bool IsDisposed { get; private set; }

    internal Tensor[] Parents { get; set; } = Array.Empty<Tensor>();
    internal Action<Tensor>? BackwardFn { get; set; }
    public bool IsLeaf => BackwardFn is null;

    public ArrayView<float> View
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return (_owner?.View ?? _buffer!.View).SubView(0, Size);
        }
    }

    /// <summary>Host address of the data. Only on the CPU device, after <see cref="Ulast.Kernels.Device.Synchronize"/>.</summary>
    public unsafe float* HostPointer
    {
        get
        {
            if (!Device.IsCpu) throw new InvalidOperationException("Host pointers exist only on the CPU device.");
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return (float*)(_owner is null ? _buffer!.NativePtr : (IntPtr)_owner.HostPointer);
        }
    }

    public Dims4 Dims => Dims4.From(Shape);

    public static int SizeOf(ReadOnlySpan<int> shape)
    {
        long s = 1;
        foreach (var d in shape)
        {
            if (d <= 0) throw new ArgumentException($"Every dimension must be positive, got [{string.Join(",", shape.ToArray())}].");
            s *= d;
        }
        if (s > int.MaxValue) throw new ArgumentException("Tensor too large.");
        return (int)s;
    }

    public static Tensor Empty(Device device, params int[] shape) =>
        new(device, (int[])shape.Clone(), device.Pool.Rent(SizeOf(shape)), null, false);

    public static Tensor EmptyPersistent(Device device, params int[] shape) =>
        new(device, (int[])shape.Clone(), device.Pool.Rent(SizeOf(shape)), null, true);

    public static Tensor Full(Device device, float value, params int[] shape)
    {
        var t = Empty(device, shape);
        t.Fill(value);
        return t;
    }

    public static Tensor Zeros(Device device, params int[] shape) => Full(device, 0f, shape);

    public static Tensor FromArray(Device device, float[] data, params int[] shape)
    {
        var t = Empty(device, shape);
        t.CopyFrom(data);
        return t;
    }

    public static Tensor PersistentFromArray(Device device, float[] data, params int[] shape)
    {
        var t = EmptyPersistent(device, shape);
        t.CopyFrom(data);
        return t;
    }

    public unsafe void Fill(float value)
    {
        if (Device.HostPath) { Device.Kernels.RecordHost(FillKernels.Fill); new Span<float>(HostPointer, Size).Fill(value); }
        else Device.Kernels.Launch(FillKernels.Fill, Size, View, value);
    }

    public unsafe void CopyFrom(ReadOnlySpan<float> data)
    {
        if (data.Length != Size) throw new ArgumentException($"Expected {Size} values for shape {ShapeString}, got {data.Length}.");
        Device.Synchronize();
        if (Device.IsCpu) data.CopyTo(new Span<float>(HostPointer, Size));   // CPU buffers are host memory
        else View.CopyFromCPU(data.ToArray());
    }

    public unsafe void CopyFrom(Tensor other)
    {
        if (other.Size != Size) throw new ArgumentException($"Cannot copy {other.ShapeString} into {ShapeString}.");
        if (Device.HostPath) { Device.Kernels.RecordHost(FillKernels.Affine); Buffer.MemoryCopy(other.HostPointer, HostPointer, Size * 4L, Size * 4L); }
        else Device.Kernels.Launch(FillKernels.Affine, Size, other.View, View, 1f, 0f);
    }

    /// <summary>this += a·other (gradient accumulation).</summary>
    public unsafe void AddScaled(Tensor other, float a)
    {
        if (other.Size != Size) throw new ArgumentException($"Cannot add {other.ShapeString} into {ShapeString}.");
        if (Device.HostPath && a == 1f)
        {
            Device.Kernels.RecordHost(FillKernels.Axpy);
            var dst = new Span<float>(HostPointer, Size);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, new ReadOnlySpan<float>(other.HostPointer, Size), dst);
        }
        else Device.Kernels.Launch(FillKernels.Axpy, Size, other.View, View, a);
    }

    public float[] ToArray()
    {
        Device.Synchronize();
        var data = new float[Size];
        View.CopyToCPU(data);
        return data;
    }

    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a single element, the tensor is {ShapeString}.");
        return ToArray()[0];
    }

    /// <summary>Same data, new shape; gradients flow back through the reshape.</summary>
    public Tensor Reshape(params int[] shape)
    {
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) known *= shape[i];
            shape = (int[])shape.Clone();
            shape[infer] = Size / known;
        }
        if (SizeOf(shape) != Size) throw new ArgumentException($"Cannot reshape {ShapeString} to [{string.Join(",", shape)}].");
        var root = _owner ?? this;
        var t = new Tensor(Device, (int[])shape.Clone(), null, root, false);
        if (RequiresGrad && GradMode.IsEnabled)
        {
            t.RequiresGrad = true;
            t.Op = "reshape";
            t.Parents = new[] { this };
            var original = Shape;
            // Copy: g is freed by the tape as soon as this node is done, so a view of it would dangle.
            t.BackwardFn = g =>
            {
                var copy = Empty(Device, original);
                copy.CopyFrom(g);
                AccumulateGrad(this, copy);
            };
        }
        return t;
    }

    /// <summary>A tensor sharing this data but cut from the graph.</summary>
    public Tensor Detach() => new(Device, (int[])Shape.Clone(), null, _owner ?? this, false);

    public string ShapeString => $"[{string.Join(",", Shape)}]";

    public override string ToString() => $"Tensor{ShapeString} op={Op}{(RequiresGrad ? " requires_grad" : "")}";

    /// <summary>Creates an op output that records its parents when any of them needs a gradient.</summary>
    public static Tensor Result(Device device, int[] shape, string op, Tensor[] parents, Func<Tensor, Action<Tensor>>? backward)
    {
        if (OpProfiler.Enabled) OpProfiler.Mark(op);
        var t = Empty(device, shape);
        t.Op = op;
        if (backward is not null && GradMode.IsEnabled && parents.Any(p => p.RequiresGrad))
        {
            t.RequiresGrad = true;
            t.Parents = parents;
            t.BackwardFn = backward(t);
        }
        return t;
    }

    /// <summary>Adds a gradient into t.Grad, taking ownership of g.</summary>
    public static void AccumulateGrad(Tensor t, Tensor g)
    {
        if (!t.RequiresGrad) { g.Dispose(); return; }
        if (g.Size != t.Size) throw new InvalidOperationException($"Gradient {g.ShapeString} does not fit tensor {t.ShapeString} ({t.Op}).");
        if (t.Grad is null)
        {
            if (t.Persistent)
            {
                t.Grad = TakeAsPersistent(g, t.Shape);
            }
            else
            {
                t.Grad = g.Shape.SequenceEqual(t.Shape) ? g : g.Reshape(t.Shape);
            }
            return;
        }
        t.Grad.AddScaled(g, 1f);
        g.Dispose();
    }

    /// <summary>A persistent tensor of the given shape holding g's data: g's own buffer when it has one, else a copy.</summary>
    private static Tensor TakeAsPersistent(Tensor g, int[] shape)
    {
        if (g._buffer is not null && !g.Persistent)
        {
            var taken = new Tensor(g.Device, (int[])shape.Clone(), g._buffer, null, true);
            g._buffer = null;
            g.Dispose();
            return taken;
        }
        var copy = EmptyPersistent(g.Device, shape);
        copy.CopyFrom(g);
        g.Dispose();
        return copy;
    }

    /// <summary>Reverse-mode differentiation from this tensor (a scalar unless a seed gradient is given).</summary>
    public void Backward(Tensor? seed = null)
    {
        if (!RequiresGrad) throw new InvalidOperationException("Backward() on a tensor that does not require a gradient.");
        if (seed is null && Size != 1) throw new InvalidOperationException($"Backward() without a seed needs a scalar, got {ShapeString}.");
        var order = TopologicalOrder();
        Tensor first;
        if (seed is null) first = Full(Device, 1f, Shape);
        else
        {
            first = Empty(Device, Shape);   // a copy: the tape may free or keep it, never the caller's tensor
            first.CopyFrom(seed);
        }
        AccumulateGrad(this, first);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (node.BackwardFn is null || node.Grad is null) continue;
            if (OpProfiler.Enabled)
            {
                OpProfiler.Mark(null);
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                node.BackwardFn(node.Grad);
                OpProfiler.Sync();
                OpProfiler.Add(node.Op + ".backward", System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            else node.BackwardFn(node.Grad);
            if (!node.RetainGrad && !ReferenceEquals(node, this))
            {
                node.Grad.Dispose();
                node.Grad = null;
            }
        }
    }

    private List<Tensor> TopologicalOrder()
    {
        var order = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor node, bool expanded)>();
        stack.Push((this, false));
        while (stack.Count > 0)
        {
            var (node, expanded) = stack.Pop();
            if (expanded) { order.Add(node); continue; }
            if (!seen.Add(node)) continue;
            stack.Push((node, true));
            foreach (var p in node.Parents) if (p.RequiresGrad && !seen.Contains(p)) stack.Push((p, false));
        }
        return order;
    }

    /// <summary>Drops the gradient (returning its buffer to the pool).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        BackwardFn = null;
        Parents = Array.Empty<Tensor>();
        if (_buffer is not null) { Device.Pool.Return(_buffer); _buffer = null; }
    }
}
