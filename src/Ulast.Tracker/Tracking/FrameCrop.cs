using OpenCvSharp;
using Ulast.Kernels.Host;

namespace Ulast.Tracker.Tracking;

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
            BilinearBand.Resample(new BytePlane(origin + c, step, h, w, meanColour[c]), x1, y1, x2, y2, size, size, band, bands, py + (long)c * size * size);
        });
        return y;
    }

    /// <summary>One colour channel of the 8-bit BGR region: rows <c>step</c> bytes apart, pixels 3 bytes apart.</summary>
    private readonly struct BytePlane(byte* plane, long step, int h, int w, float pad) : ICropPlane
    {
        public float Tap(int y, int x) => y < 0 || y >= h || x < 0 || x >= w ? pad : plane[y * step + x * 3];
    }

}
