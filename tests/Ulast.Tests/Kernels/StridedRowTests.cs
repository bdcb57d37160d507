using Ulast.Kernels.Host;

namespace Ulast.Tests.Kernels;

/// <summary>The strided row moves of im2col/col2im: the vector path equals the scalar one exactly and stays inside the row.</summary>
public class StridedRowTests
{
    [SkippableTheory]
    [InlineData(2, 512)]
    [InlineData(1, 512)]
    [InlineData(3, 512)]
    [InlineData(2, 256)]
    [InlineData(1, 256)]
    [InlineData(3, 256)]
    public unsafe void VectorAndScalarPathsAgreeExactlyAndStayInsideTheRow(int stride, int bits)
    {
        Skip.If(bits == 512 ? !System.Runtime.Intrinsics.X86.Avx512F.IsSupported : !System.Runtime.Intrinsics.X86.Avx2.IsSupported, $"no {bits}-bit vectors here");
        var rng = new Random(5);
        for (int count = 0; count <= 80; count++)
        {
            int span = count == 0 ? 0 : (count - 1) * stride + 1;
            const int guard = 40;
            var src = new float[guard + span + guard];   // the row sits between two guards
            for (int i = 0; i < src.Length; i++) src[i] = (float)(rng.NextDouble() - 0.5);
            var d = new float[count];
            for (int i = 0; i < count; i++) d[i] = (float)(rng.NextDouble() - 0.5);
            var gatherVector = new float[count];
            var gatherScalar = new float[count];
            var addVector = (float[])src.Clone();
            var addScalar = (float[])src.Clone();
            fixed (float* ps = src, pd = d, pgv = gatherVector, pgs = gatherScalar, pav = addVector, pas = addScalar)
            {
                StridedRow.Gather(ps + guard, stride, pgv, count, bits);
                StridedRow.Gather(ps + guard, stride, pgs, count, 0);
                StridedRow.ScatterAdd(pd, pav + guard, stride, count, bits);
                StridedRow.ScatterAdd(pd, pas + guard, stride, count, 0);
            }
            for (int q = 0; q < count; q++)
            {
                Assert.Equal(src[guard + q * stride], gatherScalar[q]);
                Assert.Equal(gatherScalar[q], gatherVector[q]);
            }
            for (int i = 0; i < src.Length; i++)
            {
                int r = i - guard;
                bool hit = r >= 0 && r < span && r % stride == 0;
                Assert.Equal(hit ? src[i] + d[r / stride] : src[i], addScalar[i]);
                Assert.Equal(addScalar[i], addVector[i]);   // the guards are untouched by both
            }
        }
    }
}
