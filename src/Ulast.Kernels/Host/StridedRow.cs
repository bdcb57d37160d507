using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ulast.Kernels.Host;

/// <summary>
/// The strided row moves of im2col and col2im: d[q] = s[q·stride] and its adjoint s[q·stride] += d[q].
/// Stride 2 (every strided convolution of `small` and ResNet-50) takes 16 outputs per AVX-512 two-source
/// permute instead of a scalar load and store each: at batch 1 the scalar gathers were a third of a stride-2
/// layer's time. Exact: the vector path moves the same floats, and the adjoint adds the same values in the
/// same order (its other lanes add +0, which changes nothing but the sign of a −0).
/// </summary>
public static unsafe class StridedRow
{
    /// <summary>Whether the vector path runs where the machine has AVX-512F.</summary>
    public static bool Vectorised { get; set; } = true;

    private static readonly Vector512<int> Evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> LowHalf = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly Vector512<int> HighHalf = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    /// <summary>d[q] = s[q·stride] for q in [0, count).</summary>
    public static void Gather(float* s, int stride, float* d, int count) => Gather(s, stride, d, count, Vectorised);

    /// <summary>s[q·stride] += d[q] for q in [0, count).</summary>
    public static void ScatterAdd(float* d, float* s, int stride, int count) => ScatterAdd(d, s, stride, count, Vectorised);

    /// <summary>The same, choosing the path (tests compare both).</summary>
    public static void Gather(float* s, int stride, float* d, int count, bool vector)
    {
        int q = 0;
        if (stride == 2 && vector && Avx512F.IsSupported)
            // Reads s[2q .. 2q+31]; stopping while q + 16 < count keeps every read at or before s[2(count−1)].
            for (; q + 16 < count; q += 16)
                Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(s + 2 * q), Evens, Avx512F.LoadVector512(s + 2 * q + 16)).Store(d + q);
        for (long i = (long)q * stride; q < count; q++, i += stride) d[q] = s[i];
    }

    /// <summary>The same, choosing the path (tests compare both).</summary>
    public static void ScatterAdd(float* d, float* s, int stride, int count, bool vector)
    {
        int q = 0;
        if (stride == 2 && vector && Avx512F.IsSupported)
            for (; q + 16 < count; q += 16)
            {
                var v = Avx512F.LoadVector512(d + q);
                // Interleave v with zeros: lanes 2j hold v[j], odd lanes +0.
                var lo = Avx512F.PermuteVar16x32x2(v, LowHalf, Vector512<float>.Zero);
                var hi = Avx512F.PermuteVar16x32x2(v, HighHalf, Vector512<float>.Zero);
                float* t = s + 2 * q;
                (Avx512F.LoadVector512(t) + lo).Store(t);
                (Avx512F.LoadVector512(t + 16) + hi).Store(t + 16);
            }
        for (long i = (long)q * stride; q < count; q++, i += stride) s[i] += d[q];
    }
}
