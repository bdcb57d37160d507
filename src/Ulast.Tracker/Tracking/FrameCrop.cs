using OpenCvSharp;

namespace Ulast.Tracker;

/// <summary>
/// On the CPU's host path, a crop sampled straight from the 8-bit BGR frame. Uploading the window's region first
/// converted every pixel under it to floats and put it in a device buffer of its own size (a size seen once, so a
/// fresh, page-faulted mapping): for the cycle's 48 search crops a step, that cost more than the crops. The bilinear
/// arithmetic is <see cref="CropKernels.Forward"/>'s, over the same region with the same padding outside it, and a byte
/// converts to a float exactly, so the crop equals the uploaded one to the bit (tested).
/// </summary>
public static unsafe class FrameCrop
{
    /// <param name="roi">The frame region the upload would take (the window's bounding pixels, clamped to the frame).</param>
    /// <param name="box">The window in the region's pixels: x1, y1, x2, y2 (x2 &lt; x1 or y2 &lt; y1 mirrors).</param>
    public static Tensor Window(Device device, Mat frame, Rect roi, float[] box, int size, float[] meanColour)
    {
        var y = Tensor.Result(device, new[] { 1, 3, size, size }, "crop", Array.Empty<Tensor>(), null);
        device.Kernels.RecordHost(CropKernels.Forward);
        byte* origin = (byte*)frame.Ptr(roi.Y) + roi.X * 3;
        long step = frame.Step();
        int h = roi.Height, w = roi.Width;
        float x1 = box[0], y1 = box[1], x2 = box[2], y2 = box[3];
        float* py = y.HostPointer;
        const int bands = 4;
        Parallel.For(0, 3 * bands, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, unit =>
        {
            int c = unit / bands, band = unit % bands;
            float pad = meanColour[c];
            byte* plane = origin + c;
            float* dst = py + (long)c * size * size;
            Span<int> fxs = size <= 1024 ? stackalloc int[size] : new int[size];
            Span<float> axs = size <= 1024 ? stackalloc float[size] : new float[size];
            for (int ox = 0; ox < size; ox++)
            {
                float sx = x1 + (ox + 0.5f) * (x2 - x1) / size - 0.5f;
                fxs[ox] = (int)MathF.Floor(sx);
                axs[ox] = sx - fxs[ox];
            }
            for (int oy = size * band / bands, end = size * (band + 1) / bands; oy < end; oy++)
            {
                float sy = y1 + (oy + 0.5f) * (y2 - y1) / size - 0.5f;
                int fy = (int)MathF.Floor(sy);
                float ay = sy - fy;
                for (int ox = 0; ox < size; ox++)
                {
                    int fx = fxs[ox];
                    float ax = axs[ox];
                    float v00 = Tap(plane, step, h, w, fy, fx, pad), v01 = Tap(plane, step, h, w, fy, fx + 1, pad);
                    float v10 = Tap(plane, step, h, w, fy + 1, fx, pad), v11 = Tap(plane, step, h, w, fy + 1, fx + 1, pad);
                    dst[oy * size + ox] = (1f - ay) * ((1f - ax) * v00 + ax * v01) + ay * ((1f - ax) * v10 + ax * v11);
                }
            }
        });
        return y;
    }

    private static float Tap(byte* plane, long step, int h, int w, int yy, int xx, float pad) =>
        yy < 0 || yy >= h || xx < 0 || xx >= w ? pad : plane[yy * step + xx * 3];
}
