namespace Ulast.Kernels.Host;

/// <summary>
/// A matrix handed to <see cref="HostGemm"/> a row segment at a time instead of stored whole — for an im2col that
/// would otherwise be written to memory in full and read back (<see cref="ImageColumns"/>). Called concurrently
/// from the GEMM's threads: implementations must not keep per-call state.
/// </summary>
public abstract unsafe class GemmRows
{
    /// <summary>Writes elements [start, start + count) of row <paramref name="row"/> to <paramref name="dst"/>.</summary>
    public abstract void Row(int row, int start, int count, float* dst);
}
