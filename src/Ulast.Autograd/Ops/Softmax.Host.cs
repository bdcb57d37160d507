namespace Ulast.Autograd;

/// <summary>The host path of the softmax ops (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{
    /// <summary>Softmax over the last axis (<see cref="SoftmaxKernels.Forward"/>'s loops, XMath included), rows spread over the cores.</summary>
    public static bool SoftmaxForward(int rows, int cols, Tensor x, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(SoftmaxKernels.Forward);
        IntPtr px = (IntPtr)x.HostPointer, py = (IntPtr)y.HostPointer;
        ForRows(rows, cols, r =>
        {
            float* xr = (float*)px + (long)r * cols, yr = (float*)py + (long)r * cols;
            float max = xr[0];
            for (int j = 1; j < cols; j++) max = ILGPU.Algorithms.XMath.Max(max, xr[j]);
            float sum = 0f;
            for (int j = 0; j < cols; j++) { float e = ILGPU.Algorithms.XMath.Exp(xr[j] - max); yr[j] = e; sum += e; }
            float inv = 1f / sum;
            for (int j = 0; j < cols; j++) yr[j] *= inv;
        });
        return true;
    }

    /// <summary>Softmax's gradient dx = y ⊙ (g − Σ g·y) (<see cref="SoftmaxKernels.Backward"/>'s loops).</summary>
    public static bool SoftmaxBackward(int rows, int cols, Tensor y, Tensor g, Tensor dx)
    {
        if (!Ready(y)) return false;
        y.Device.Kernels.RecordHost(SoftmaxKernels.Backward);
        IntPtr py = (IntPtr)y.HostPointer, pg = (IntPtr)g.HostPointer, pd = (IntPtr)dx.HostPointer;
        ForRows(rows, cols, r =>
        {
            float* yr = (float*)py + (long)r * cols, gr = (float*)pg + (long)r * cols, dr = (float*)pd + (long)r * cols;
            float dot = 0f;
            for (int j = 0; j < cols; j++) dot += gr[j] * yr[j];
            for (int j = 0; j < cols; j++) dr[j] = yr[j] * (gr[j] - dot);
        });
        return true;
    }

    /// <summary>body(row) for every row; over the cores when there is enough work to share.</summary>
    private static void ForRows(int rows, int cols, Action<int> body)
    {
        if ((long)rows * cols < 1 << 15 || Environment.ProcessorCount == 1) { for (int r = 0; r < rows; r++) body(r); return; }
        int chunks = Environment.ProcessorCount;
        Parallel.For(0, chunks, t => { for (int r = rows * t / chunks, end = rows * (t + 1) / chunks; r < end; r++) body(r); });
    }
}
