namespace Ulast.Tracker.Tracking;

/// <summary>Tensors the tracker keeps across frames: copied out of the frame's <see cref="TensorScope"/>.</summary>
public static class Persistent
{
    public static Tensor Copy(Tensor t)
    {
        var p = Tensor.EmptyPersistent(t.Device, t.Shape);
        p.CopyFrom(t);
        return p;
    }
}
