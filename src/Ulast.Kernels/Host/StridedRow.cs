using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ulast.Kernels.Host;

/// <summary>
/// The row moves of im2col and col2im: d[q] = s[q·stride] and its adjoint s[q·stride] += d[q].
/// Stride 2 (every strided convolution of `small` and ResNet-50) takes 16 outputs per AVX-512 two-source
/// permute instead of a scalar load and store each: at batch 1 the scalar gathers were a third of a stride-2
/// layer's time. Exact: the vector path moves the same floats, and the adjoint adds the same values in the
/// same order (its other lanes add +0, which changes nothing but the sign of a −0). Without AVX-512 the same moves
/// run 8 floats at a time with AVX2 (a shuffle and a lane permute per 8 outputs), the last few scalar.
/// </summary>
public static unsafe class StridedRow
{

    /// <summary>The widest path this machine runs: 512, 256 or 0 (scalar).</summary>
    public static int WidestBits => Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 512 : Avx2.IsSupported ? 256 : 0;

    /// <summary>d[q] = s[q·stride] for q in [0, count).</summary>
    public static void Gather(float* s, int stride, float* d, int count) => Gather(s, stride, d, count, true);

    /// <summary>s[q·stride] += d[q] for q in [0, count).</summary>
    public static void ScatterAdd(float* d, float* s, int stride, int count) => ScatterAdd(d, s, stride, count, true);

    /// <summary>The same, choosing the path (tests compare both).</summary>
    public static void Gather(float* s, int stride, float* d, int count, bool vector) => Gather(s, stride, d, count, vector ? WidestBits : 0);

    /// <summary>The same on the path of the given width: 512, 256 or 0 (tests run each where the machine has it).</summary>
    public static void Gather(float* s, int stride, float* d, int count, int bits)
    {
        int q = 0;
        bool vector = bits == 512;
        if (bits == 256 && Avx2.IsSupported)
        {
            if (stride == 1 && count >= 8)
            {
                for (; q + 8 <= count; q += 8) Vector256.Load(s + q).Store(d + q);
                if (q < count) Vector256.Load(s + count - 8).Store(d + count - 8);   // overlapping tail, same values
                return;
            }
            if (stride == 2)
                // Reads s[2q .. 2q+15]; q + 8 < count keeps every read at or before s[2(count−1)].
                for (; q + 8 < count; q += 8)
                {
                    // Within each 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6; the 64-bit permute puts them in order.
                    var even = Avx.Shuffle(Avx.LoadVector256(s + 2 * q), Avx.LoadVector256(s + 2 * q + 8), 0b10_00_10_00);
                    Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle().Store(d + q);
                }
        }
        if (stride == 1 && count >= 16 && vector && Vector512.IsHardwareAccelerated)
        {
            // A plain copy, inline: Buffer.MemoryCopy's per-call cost showed on short rows (a batch-1 conv's 63 floats).
            for (; q + 16 <= count; q += 16) Vector512.Load(s + q).Store(d + q);
            if (q < count) Vector512.Load(s + count - 16).Store(d + count - 16);   // overlapping tail, same values
            return;
        }
        if (stride == 2 && count > 16 && vector && Avx512F.IsSupported)
        {
            // Index vectors built here, not in static fields: a static field cost a class-initialisation check per iteration.
            var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            var odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            // Reads s[2q .. 2q+31]; stopping while q + 16 < count keeps every read at or before s[2(count−1)].
            for (; q + 16 < count; q += 16)
                Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(s + 2 * q), evens, Avx512F.LoadVector512(s + 2 * q + 16)).Store(d + q);
            // The last 16 outputs (overlapping ones already written, with the same values) from the window that ends
            // exactly at s[2(count−1)]: shifted one float left, so the wanted elements sit in the odd lanes.
            float* t = s + 2 * (count - 16) - 1;
            Avx512F.PermuteVar16x32x2(Avx512F.LoadVector512(t), odds, Avx512F.LoadVector512(t + 16)).Store(d + count - 16);
            return;
        }
        for (long i = (long)q * stride; q < count; q++, i += stride) d[q] = s[i];
    }

    /// <summary>The same, choosing the path (tests compare both).</summary>
    public static void ScatterAdd(float* d, float* s, int stride, int count, bool vector) => ScatterAdd(d, s, stride, count, vector ? WidestBits : 0);

    /// <summary>The same on the path of the given width: 512, 256 or 0.</summary>
    public static void ScatterAdd(float* d, float* s, int stride, int count, int bits)
    {
        int q = 0;
        bool vector = bits == 512;
        if (bits == 256 && Avx2.IsSupported)
        {
            if (stride == 1)
                for (; q + 8 <= count; q += 8) (Vector256.Load(s + q) + Vector256.Load(d + q)).Store(s + q);
            else if (stride == 2)
                for (; q + 8 < count; q += 8)
                {
                    // v interleaved with zeros: v0 0 v1 0 v2 0 v3 0 and v4 0 … v7 0 (the odd lanes add +0).
                    var v = Avx.LoadVector256(d + q);
                    var lo = Avx.UnpackLow(v, Vector256<float>.Zero);    // v0 0 v1 0 | v4 0 v5 0
                    var hi = Avx.UnpackHigh(v, Vector256<float>.Zero);   // v2 0 v3 0 | v6 0 v7 0
                    float* t = s + 2 * q;
                    (Avx.LoadVector256(t) + Avx.Permute2x128(lo, hi, 0x20)).Store(t);
                    (Avx.LoadVector256(t + 8) + Avx.Permute2x128(lo, hi, 0x31)).Store(t + 8);
                }
            for (long i = (long)q * stride; q < count; q++, i += stride) s[i] += d[q];
            return;
        }
        if (stride == 1 && count >= 16 && vector && Vector512.IsHardwareAccelerated)
        {
            for (; q + 16 <= count; q += 16) (Vector512.Load(s + q) + Vector512.Load(d + q)).Store(s + q);
            if (q < count) (Vector512.Load(s + count - 16) + LastSixteenNotYetAdded(d, q, count)).Store(s + count - 16);
            return;
        }
        if (stride == 2 && count > 16 && vector && Avx512F.IsSupported)
        {
            var lowHalf = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            var highHalf = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            for (; q + 16 < count; q += 16)
            {
                var v = Avx512F.LoadVector512(d + q);
                // Interleave v with zeros: lanes 2j hold v[j], odd lanes +0.
                var lo = Avx512F.PermuteVar16x32x2(v, lowHalf, Vector512<float>.Zero);
                var hi = Avx512F.PermuteVar16x32x2(v, highHalf, Vector512<float>.Zero);
                float* t = s + 2 * q;
                (Avx512F.LoadVector512(t) + lo).Store(t);
                (Avx512F.LoadVector512(t + 16) + hi).Store(t + 16);
            }
            // The last 16 outputs' window (the loop always leaves some), shifted one float left so that it ends at
            // s[2(count−1)], the wanted elements in the odd lanes.
            var tail = LastSixteenNotYetAdded(d, q, count);
            var lowOdd = Vector512.Create(16, 0, 16, 1, 16, 2, 16, 3, 16, 4, 16, 5, 16, 6, 16, 7);
            var highOdd = Vector512.Create(16, 8, 16, 9, 16, 10, 16, 11, 16, 12, 16, 13, 16, 14, 16, 15);
            float* w = s + 2 * (count - 16) - 1;
            (Avx512F.LoadVector512(w) + Avx512F.PermuteVar16x32x2(tail, lowOdd, Vector512<float>.Zero)).Store(w);
            (Avx512F.LoadVector512(w + 16) + Avx512F.PermuteVar16x32x2(tail, highOdd, Vector512<float>.Zero)).Store(w + 16);
            return;
        }
        for (long i = (long)q * stride; q < count; q++, i += stride) s[i] += d[q];
    }

    /// <summary>d[count−16 .. count) with the elements before <paramref name="done"/> (already added) zeroed.</summary>
    private static Vector512<float> LastSixteenNotYetAdded(float* d, int done, int count)
    {
        var lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var fresh = Vector512.GreaterThanOrEqual(lane, Vector512.Create(done - (count - 16))).AsSingle();
        return Vector512.ConditionalSelect(fresh, Vector512.Load(d + count - 16), Vector512<float>.Zero);
    }
}
