using System.Numerics.Tensors;

namespace Ulast.Kernels.Host;

/// <summary>Work split over threads in even ranges, and the per-thread partial sums added back.</summary>
internal static unsafe class HostRanges
{
    /// <summary>body(start, end) over [0, count) in up to <paramref name="chunks"/> even ranges, one per thread (one range: on the caller's).</summary>
    public static void For(int count, int chunks, Action<int, int> body)
    {
        chunks = Math.Max(1, Math.Min(chunks, count));
        if (chunks == 1) { body(0, count); return; }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks },
            t => body((int)((long)count * t / chunks), (int)((long)count * (t + 1) / chunks)));
    }

    /// <summary>dst += blocks[0] + … + blocks[count − 1], each <paramref name="size"/> floats, added in that order.</summary>
    public static void AddBlocks(float* dst, float* blocks, int count, long size)
    {
        var d = new Span<float>(dst, checked((int)size));
        for (int i = 0; i < count; i++) TensorPrimitives.Add(d, new ReadOnlySpan<float>(blocks + i * size, (int)size), d);
    }
}
