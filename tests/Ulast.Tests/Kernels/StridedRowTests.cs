using Ulast.Kernels.Host;

namespace Ulast.Tests.Kernels;

/// <summary>The strided row moves of im2col/col2im: the vector path equals the scalar one exactly and stays inside the row.</summary>
public class StridedRowTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    [InlineData(3)]
    public unsafe void VectorAndScalarPathsAgreeExactlyAndStayInsideTheRow(int stride)
    {
        var rng = new Random(5);
        for (int count = 0; count <= 80; count++)
        {
            int span = count == 0 ? 0 : (count - 1) * stride + 1;
            const int guard = 40;
            var src = new float[span + guard];
            for (int i = 0; i < src.Length; i++) src[i] = (float)(rng.NextDouble() - 0.5);
            var d = new float[count];
            for (int i = 0; i < count; i++) d[i] = (float)(rng.NextDouble() - 0.5);
            var gatherVector = new float[count];
            var gatherScalar = new float[count];
            var addVector = (float[])src.Clone();
            var addScalar = (float[])src.Clone();
            fixed (float* ps = src, pd = d, pgv = gatherVector, pgs = gatherScalar, pav = addVector, pas = addScalar)
            {
                StridedRow.Gather(ps, stride, pgv, count, vector: true);
                StridedRow.Gather(ps, stride, pgs, count, vector: false);
                StridedRow.ScatterAdd(pd, pav, stride, count, vector: true);
                StridedRow.ScatterAdd(pd, pas, stride, count, vector: false);
            }
            for (int q = 0; q < count; q++)
            {
                Assert.Equal(src[q * stride], gatherScalar[q]);
                Assert.Equal(gatherScalar[q], gatherVector[q]);
            }
            for (int i = 0; i < src.Length; i++)
            {
                bool hit = i < span && i % stride == 0;
                Assert.Equal(hit ? src[i] + d[i / stride] : src[i], addScalar[i]);
                Assert.Equal(addScalar[i], addVector[i]);   // the guard past the row is untouched by both
            }
        }
    }
}
