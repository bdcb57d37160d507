using OpenCvSharp;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

/// <summary>
/// Crops sampled straight from the frame's bytes (the CPU's host path) equal the uploaded region cropped by the kernel,
/// to the bit: windows inside the frame, across its edges, mirrored, larger than the frame, and in a frame that is a
/// view into a wider image (rows further apart than its width).
/// </summary>
public class FrameCropTests
{
    private static float[] Crop(bool hostSimd, Mat frame, (float x1, float y1, float x2, float y2) w, int size)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        using var scope = new TensorScope();
        return SiamCrop.Window(dev, frame, w.x1, w.y1, w.x2, w.y2, size, new[] { 90.5f, 120.25f, 33f }).ToArray();
    }

    [Fact]
    public void EqualsTheUploadedCropBitForBit()
    {
        using var wide = new Mat(61, 97, MatType.CV_8UC3);
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        Cv2.Randu(wide, Scalar.All(0), Scalar.All(255));
        using var view = new Mat(wide, new Rect(5, 3, 80, 50));
        var windows = new[] { (10.3f, 7.7f, 41.9f, 39.2f), (-20f, -15.5f, 30f, 34.5f), (70.2f, 40.1f, 120f, 89.9f), (50f, 5f, 12.5f, 42.5f), (3f, 45f, 40f, 8f), (-60f, -50f, 140f, 150f) };
        foreach (var frame in new[] { wide, view })
            foreach (var w in windows)
                foreach (int size in new[] { 31, 64 })
                {
                    var host = Crop(true, frame, w, size);
                    var kernel = Crop(false, frame, w, size);
                    TestDevice.AssertSamePaths(host, kernel, $"window {w} size {size} in {frame.Width}×{frame.Height}");
                    Assert.Contains(host, v => v != host[0]);
                }
    }
}
