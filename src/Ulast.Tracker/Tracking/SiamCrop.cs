using OpenCvSharp;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// SiamFC-style square crops: a window of side <c>side</c> centred on (cx, cy), resized to <c>size</c>
/// by the device's bilinear crop kernel, mean colour outside the frame. Only the part of the frame
/// under the window is uploaded; on the CPU's host path the crop reads the frame's bytes instead (<see cref="FrameCrop"/>).
/// </summary>
public static class SiamCrop
{
    public static Tensor Crop(Device device, Mat frame, float cx, float cy, float side, int size, float[] meanColour) =>
        Window(device, frame, cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, size, meanColour);

    /// <summary>
    /// Crops the window (x1, y1)–(x2, y2) to size×size; x2 &lt; x1 (or y2 &lt; y1) mirrors the crop, which
    /// is how augmentation flips. Only the frame region under the window is uploaded.
    /// </summary>
    public static Tensor Window(Device device, Mat frame, float x1, float y1, float x2, float y2, int size, float[] meanColour)
    {
        float lx = Math.Min(x1, x2), hx = Math.Max(x1, x2), ly = Math.Min(y1, y2), hy = Math.Max(y1, y2);
        int rx1 = Math.Clamp((int)Math.Floor(lx) - 1, 0, frame.Width - 1), ry1 = Math.Clamp((int)Math.Floor(ly) - 1, 0, frame.Height - 1);
        int rx2 = Math.Clamp((int)Math.Ceiling(hx) + 1, rx1 + 1, frame.Width), ry2 = Math.Clamp((int)Math.Ceiling(hy) + 1, ry1 + 1, frame.Height);
        var roi = new Rect(rx1, ry1, rx2 - rx1, ry2 - ry1);
        var window = new[] { x1 - rx1, y1 - ry1, x2 - rx1, y2 - ry1 };
        if (device.HostPath && frame.Type() == MatType.CV_8UC3) return FrameCrop.Window(device, frame, roi, window, size, meanColour);
        var image = ImageUpload.Region(device, frame, roi);
        var box = Tensor.FromArray(device, window, 1, 4);
        return Ops.CropResize(image, box, Tensor.FromArray(device, meanColour, 3), size, size);
    }

    /// <summary>Side of the template window for a target of size (w, h): √((w + p)(h + p)), p = context·(w + h).</summary>
    public static float TemplateSide(float w, float h, float context)
    {
        float p = context * (w + h);
        return MathF.Sqrt((w + p) * (h + p));
    }
}
