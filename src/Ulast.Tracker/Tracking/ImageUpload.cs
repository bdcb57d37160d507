using OpenCvSharp;

namespace Ulast.Tracker.Tracking;

/// <summary>Frames to device tensors: BGR 8-bit → float [1,3,h,w] in 0–255 (SiamRPN++'s convention, no normalisation).</summary>
public static class ImageUpload
{
    /// <summary>Uploads the region <paramref name="roi"/> of a BGR frame.</summary>
    public static unsafe Tensor Region(Device device, Mat frame, Rect roi)
    {
        if (frame.Type() != MatType.CV_8UC3) throw new ArgumentException($"Expected an 8-bit BGR frame, got {frame.Type()}.");
        using var sub = new Mat(frame, roi);
        int h = roi.Height, w = roi.Width, plane = h * w;
        var data = new float[3 * plane];
        for (int y = 0; y < h; y++)
        {
            byte* row = (byte*)sub.Ptr(y);
            int o = y * w;
            for (int x = 0; x < w; x++)
            {
                data[o + x] = row[3 * x];
                data[plane + o + x] = row[3 * x + 1];
                data[2 * plane + o + x] = row[3 * x + 2];
            }
        }
        return Tensor.FromArray(device, data, 1, 3, h, w);
    }

    /// <summary>Per-channel mean colour (B, G, R) of the frame: the padding value of crops.</summary>
    public static float[] MeanColour(Mat frame)
    {
        var m = Cv2.Mean(frame);
        return new[] { (float)m.Val0, (float)m.Val1, (float)m.Val2 };
    }
}
