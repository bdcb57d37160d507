using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Training;

/// <summary>USOT-style augmentation of training crops (ULAST §3, step 5).</summary>
public sealed record AugmentConfig
{
    public bool Enabled { get; init; } = true;
    /// <summary>Largest shift of the search window's centre, as a fraction of the crop side.</summary>
    public float Shift { get; init; } = 0.25f;
    /// <summary>Log-uniform scale jitter of the window side: side · e^U(−Scale, Scale).</summary>
    public float Scale { get; init; } = 0.15f;
    public float FlipHorizontal { get; init; } = 0.5f;
    public float FlipVertical { get; init; } = 0.05f;
    /// <summary>Per-channel gain U(1 − Colour, 1 + Colour).</summary>
    public float Colour { get; init; } = 0.2f;
    public float BlurProbability { get; init; } = 0.2f;
}

/// <summary>A crop window in frame pixels (x2 &lt; x1 or y2 &lt; y1 means mirrored) and the target box inside the crop.</summary>
public readonly record struct CropWindow(float X1, float Y1, float X2, float Y2, int Size)
{
    /// <summary>Frame box → crop box (exact; flips swap the edges).</summary>
    public BoxF ToCrop(BoxF b)
    {
        float sx = Size / (X2 - X1), sy = Size / (Y2 - Y1);
        float ax = (b.X - X1) * sx, bx = (b.Right - X1) * sx, ay = (b.Y - Y1) * sy, by = (b.Bottom - Y1) * sy;
        return new BoxF(Math.Min(ax, bx), Math.Min(ay, by), Math.Abs(bx - ax), Math.Abs(by - ay));
    }

    /// <summary>Crop box → frame box (the inverse of <see cref="ToCrop"/>).</summary>
    public BoxF ToFrame(BoxF c)
    {
        float sx = (X2 - X1) / Size, sy = (Y2 - Y1) / Size;
        float ax = X1 + c.X * sx, bx = X1 + c.Right * sx, ay = Y1 + c.Y * sy, by = Y1 + c.Bottom * sy;
        return new BoxF(Math.Min(ax, bx), Math.Min(ay, by), Math.Abs(bx - ax), Math.Abs(by - ay));
    }
}

/// <summary>SiamFC context crops (template 127, search 255, context 0.5) with augmentation; pixels by the device crop kernel.</summary>
public static class TrainingCrops
{
    /// <summary>The window for a target box: side = √((w+p)(h+p))·size/127, jittered when augmenting.</summary>
    public static CropWindow Window(BoxF box, int size, int templateSize, float context, Random rng, AugmentConfig aug, bool shift)
    {
        float side = SiamCrop.TemplateSide(box.W, box.H, context) * size / templateSize;
        float cx = box.Cx, cy = box.Cy;
        bool flipX = false, flipY = false;
        if (aug.Enabled)
        {
            side *= MathF.Exp((float)(rng.NextDouble() * 2 - 1) * aug.Scale);
            if (shift)
            {
                cx += (float)(rng.NextDouble() * 2 - 1) * aug.Shift * side;
                cy += (float)(rng.NextDouble() * 2 - 1) * aug.Shift * side;
            }
            flipX = rng.NextDouble() < aug.FlipHorizontal;
            flipY = rng.NextDouble() < aug.FlipVertical;
        }
        float x1 = cx - side / 2, x2 = cx + side / 2, y1 = cy - side / 2, y2 = cy + side / 2;
        return new CropWindow(flipX ? x2 : x1, flipY ? y2 : y1, flipX ? x1 : x2, flipY ? y1 : y2, size);
    }

    /// <summary>The crop [1,3,S,S] with colour gains and optional blur applied on the device; pads with the frame's mean colour unless given.</summary>
    public static Tensor Crop(Device device, Mat frame, CropWindow w, Random rng, AugmentConfig aug, float[]? meanColour = null)
    {
        var crop = SiamCrop.Window(device, frame, w.X1, w.Y1, w.X2, w.Y2, w.Size, meanColour ?? ImageUpload.MeanColour(frame));
        if (!aug.Enabled) return crop;
        var gains = Enumerable.Range(0, 3).Select(_ => 1f + (float)(rng.NextDouble() * 2 - 1) * aug.Colour).ToArray();
        crop = Ops.Mul(crop, Tensor.FromArray(device, gains, 1, 3, 1, 1));
        if (rng.NextDouble() < aug.BlurProbability)
        {
            // 3×3 binomial blur as a depthwise convolution.
            var k = new float[] { 1, 2, 1, 2, 4, 2, 1, 2, 1 }.Select(v => v / 16f).ToArray();
            crop = Ops.Conv2d(crop, Tensor.FromArray(device, k.Concat(k).Concat(k).ToArray(), 3, 1, 3, 3), 1, 1, 1, 3);
        }
        return crop;
    }
}
