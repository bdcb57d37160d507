using ILGPU.Algorithms;

namespace Ulast.Kernels;

/// <summary>IoU / GIoU of two (cx, cy, w, h) boxes and the gradient of the loss with respect to the first.</summary>
public static class BoxMath
{
    public const float Eps = 1e-7f;

    public static float Iou(float acx, float acy, float aw, float ah, float bcx, float bcy, float bw, float bh)
    {
        float iw = XMath.Max(0f, XMath.Min(acx + 0.5f * aw, bcx + 0.5f * bw) - XMath.Max(acx - 0.5f * aw, bcx - 0.5f * bw));
        float ih = XMath.Max(0f, XMath.Min(acy + 0.5f * ah, bcy + 0.5f * bh) - XMath.Max(acy - 0.5f * ah, bcy - 0.5f * bh));
        float inter = iw * ih;
        return inter / (aw * ah + bw * bh - inter + Eps);
    }

    /// <summary>
    /// Loss of predicted box p against target t: mode 0 is −ln(IoU + ε), mode 1 is 1 − GIoU.
    /// Returns the loss and writes ∂loss/∂(cx, cy, w, h) of p. Safe for zero-area and disjoint boxes.
    /// </summary>
    public static float Loss(int mode, float pcx, float pcy, float pw, float ph, float tcx, float tcy, float tw, float th,
        out float dcx, out float dcy, out float dw, out float dh)
    {
        float px1 = pcx - 0.5f * pw, px2 = pcx + 0.5f * pw, py1 = pcy - 0.5f * ph, py2 = pcy + 0.5f * ph;
        float tx1 = tcx - 0.5f * tw, tx2 = tcx + 0.5f * tw, ty1 = tcy - 0.5f * th, ty2 = tcy + 0.5f * th;
        float iw = XMath.Min(px2, tx2) - XMath.Max(px1, tx1), ih = XMath.Min(py2, ty2) - XMath.Max(py1, ty1);
        bool overlapX = iw > 0f, overlapY = ih > 0f;
        iw = XMath.Max(iw, 0f); ih = XMath.Max(ih, 0f);
        float inter = iw * ih, union = pw * ph + tw * th - inter + Eps, iou = inter / union;
        // ∂inter and ∂union with respect to px1, px2, py1, py2.
        float dI_x1 = overlapX && px1 > tx1 ? -ih : 0f, dI_x2 = overlapX && px2 < tx2 ? ih : 0f;
        float dI_y1 = overlapY && py1 > ty1 ? -iw : 0f, dI_y2 = overlapY && py2 < ty2 ? iw : 0f;
        float dU_x1 = -ph - dI_x1, dU_x2 = ph - dI_x2, dU_y1 = -pw - dI_y1, dU_y2 = pw - dI_y2;
        float u2 = union * union;
        float dIoU_x1 = (dI_x1 * union - inter * dU_x1) / u2, dIoU_x2 = (dI_x2 * union - inter * dU_x2) / u2;
        float dIoU_y1 = (dI_y1 * union - inter * dU_y1) / u2, dIoU_y2 = (dI_y2 * union - inter * dU_y2) / u2;
        float loss, g_x1, g_x2, g_y1, g_y2;
        if (mode == 0)
        {
            loss = -XMath.Log(iou + Eps);
            float s = -1f / (iou + Eps);
            g_x1 = s * dIoU_x1; g_x2 = s * dIoU_x2; g_y1 = s * dIoU_y1; g_y2 = s * dIoU_y2;
        }
        else
        {
            float cw = XMath.Max(px2, tx2) - XMath.Min(px1, tx1), ch = XMath.Max(py2, ty2) - XMath.Min(py1, ty1);
            float area = cw * ch + Eps;
            // GIoU = IoU − 1 + U/C
            loss = 1f - (iou - 1f + union / area);
            float dC_x1 = (px1 < tx1 ? -1f : 0f) * ch, dC_x2 = (px2 > tx2 ? 1f : 0f) * ch;
            float dC_y1 = (py1 < ty1 ? -1f : 0f) * cw, dC_y2 = (py2 > ty2 ? 1f : 0f) * cw;
            float a2 = area * area;
            g_x1 = -(dIoU_x1 + (dU_x1 * area - union * dC_x1) / a2);
            g_x2 = -(dIoU_x2 + (dU_x2 * area - union * dC_x2) / a2);
            g_y1 = -(dIoU_y1 + (dU_y1 * area - union * dC_y1) / a2);
            g_y2 = -(dIoU_y2 + (dU_y2 * area - union * dC_y2) / a2);
        }
        dcx = g_x1 + g_x2;
        dcy = g_y1 + g_y2;
        dw = 0.5f * (g_x2 - g_x1);
        dh = 0.5f * (g_y2 - g_y1);
        return loss;
    }
}
