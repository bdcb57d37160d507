namespace Ulast.Tracker.Model;

/// <summary>Exact centre crop of feature maps (bilinear sampling at integer positions; gradient flows back).</summary>
public static class FeatureCrop
{
    public static Tensor Centre(Tensor x, int h, int w)
    {
        int n = x.Shape[0], c = x.Shape[1], top = (x.Shape[2] - h) / 2, left = (x.Shape[3] - w) / 2;
        if (top == 0 && left == 0 && h == x.Shape[2] && w == x.Shape[3]) return x;
        var boxes = new float[n * 4];
        for (int i = 0; i < n; i++) { boxes[i * 4] = left; boxes[i * 4 + 1] = top; boxes[i * 4 + 2] = left + w; boxes[i * 4 + 3] = top + h; }
        var pad = Tensor.Zeros(x.Device, c);
        return Ops.CropResize(x, Tensor.FromArray(x.Device, boxes, n, 4), pad, h, w);
    }
}
