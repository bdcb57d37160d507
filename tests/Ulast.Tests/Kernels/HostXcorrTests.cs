using Ulast.Kernels.Host;
using Ulast.Kernels.Reference;

namespace Ulast.Tests.Kernels;

/// <summary>The depthwise cross-correlation's host code at 512 and 256 bits against the double reference and each other.</summary>
public class HostXcorrTests
{
    [Fact]
    public unsafe void BothVectorWidthsMatchTheReference()
    {
        var rng = new Random(7);
        {
            foreach (var (b, c, hs, ws, hk, wk) in new[] { (2, 3, 9, 11, 3, 4), (2, 5, 31, 31, 7, 7), (1, 2, 20, 45, 5, 9), (1, 3, 63, 63, 15, 15) })
            {
                var p = new XcorrParams(b, c, hs, ws, hk, wk);
                var s = TestDevice.Random(rng, p.SearchSize);
                var k = TestDevice.Random(rng, p.KernelSize);
                var g = TestDevice.Random(rng, p.OutputSize);
                var expected = XcorrReference.Forward(p, s, k);
                var (eds, edk) = XcorrReference.Backward(p, s, k, g);
                var forwards = new List<float[]>();
                var searchGradients = new List<float[]>();
                foreach (int bits in new[] { 512, 256 })
                {
                    var t = new HostTuning { XcorrVectorBits = bits };
                    var y = new float[p.OutputSize];
                    var ds = new float[p.SearchSize];
                    var dk = new float[p.KernelSize];
                    fixed (float* ps = s, pk = k, pg = g, py = y, pds = ds, pdk = dk)
                    {
                        HostXcorr.Forward(t, p, ps, pk, py);
                        HostXcorr.BackwardSearch(t, p, pk, pg, pds);
                        HostXcorr.BackwardKernel(t, p, ps, pg, pdk);
                    }
                    string at = $"{bits} bits, [{b},{c},{hs},{ws}]⋆[{hk},{wk}]";
                    TestDevice.AssertClose(expected, y, 1e-4, 1e-4, "forward " + at);
                    TestDevice.AssertClose(eds, ds, 1e-4, 1e-4, "ds " + at);
                    TestDevice.AssertClose(edk, dk, 1e-3, 1e-4, "dk " + at);
                    forwards.Add(y);
                    searchGradients.Add(ds);
                }
                // Each output sums its taps in the same order on both widths (one generic body, two register blockings).
                Assert.Equal(forwards[0], forwards[1]);
                Assert.Equal(searchGradients[0], searchGradients[1]);
            }
        }
    }
}
