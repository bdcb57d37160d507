using Ulast.Autograd.Modules;

namespace Ulast.GradCheck;

/// <summary>Every op of the autograd and a few composite modules, at small odd shapes.</summary>
public static class GradCases
{
    private static GradCase Case(string op, string shapes, Func<CaseTensors, GradProblem> build, double tolerance = 1.0, double step = GradChecker.Step) =>
        new(op, shapes, (d, r) => build(new CaseTensors(d, r)), tolerance, step);

    public static IReadOnlyList<GradCase> All { get; } = Build();

    private static List<GradCase> Build()
    {
        var cases = new List<GradCase>
        {
            Case("relu", "[2,3,5,7]", t => { var x = t.AwayFromZero(2, 3, 5, 7); return t.Problem(() => Ops.Relu(x), x); }),
            Case("sigmoid", "[2,3,5,7]", t => { var x = t.Uniform(-3, 3, 2, 3, 5, 7); return t.Problem(() => Ops.Sigmoid(x), x); }),
            Case("exp", "[2,3,5,7]", t => { var x = t.Uniform(-2, 1, 2, 3, 5, 7); return t.Problem(() => Ops.Exp(x), x); }),
            Case("log", "[2,3,5,7]", t => { var x = t.Uniform(0.5, 2, 2, 3, 5, 7); return t.Problem(() => Ops.Log(x), x); }),
            Case("affine", "[3,5,7]", t => { var x = t.Uniform(-1, 1, 3, 5, 7); return t.Problem(() => Ops.Affine(x, -1.7f, 0.3f), x); }),
            Case("add", "[2,3,5,7]+[1,3,1,1]", t => { var a = t.Uniform(-1, 1, 2, 3, 5, 7); var b = t.Uniform(-1, 1, 1, 3, 1, 1); return t.Problem(() => Ops.Add(a, b), a, b); }),
            Case("sub", "[3,1,5,1]-[1,4,1,7]", t => { var a = t.Uniform(-1, 1, 3, 1, 5, 1); var b = t.Uniform(-1, 1, 1, 4, 1, 7); return t.Problem(() => Ops.Sub(a, b), a, b); }),
            Case("mul", "[2,3,5,7]*[5,7]", t => { var a = t.Uniform(-1, 1, 2, 3, 5, 7); var b = t.Uniform(-1, 1, 5, 7); return t.Problem(() => Ops.Mul(a, b), a, b); }),
            Case("div", "[2,3,5,7]/[2,1,5,7]", t => { var a = t.Uniform(-1, 1, 2, 3, 5, 7); var b = t.Uniform(0.5, 2, 2, 1, 5, 7); return t.Problem(() => Ops.Div(a, b), a, b); }),
            Case("sum", "[2,3,5,7] axes 1,3", t => { var x = t.Uniform(-1, 1, 2, 3, 5, 7); return t.Problem(() => Ops.Sum(x, new[] { 1, 3 }), x); }),
            Case("mean", "[2,3,5,7] axes 0,2 keepdim", t => { var x = t.Uniform(-1, 1, 2, 3, 5, 7); return t.Problem(() => Ops.Mean(x, new[] { 0, 2 }, keepDim: true), x); }),
            Case("concat", "[2,3,4,5]|[2,2,4,5]", t => { var a = t.Uniform(-1, 1, 2, 3, 4, 5); var b = t.Uniform(-1, 1, 2, 2, 4, 5); return t.Problem(() => Ops.Concat(a, b), a, b); }),
            Case("slice", "[2,7,4,5] ch 2..5", t => { var x = t.Uniform(-1, 1, 2, 7, 4, 5); return t.Problem(() => Ops.SliceChannels(x, 2, 3), x); }),
            Case("reshape", "[2,3,5,7]→[6,35]", t => { var x = t.Uniform(-1, 1, 2, 3, 5, 7); return t.Problem(() => Ops.Mul(x.Reshape(6, 35), x.Reshape(6, 35)), x); }),
            Case("matmul", "[5,7]·[7,3]", t => { var a = t.Uniform(-1, 1, 5, 7); var b = t.Uniform(-1, 1, 7, 3); return t.Problem(() => Ops.MatMul(a, b), a, b); }),
            Case("matmul_tA_tB", "[7,5]ᵀ·[3,7]ᵀ", t => { var a = t.Uniform(-1, 1, 7, 5); var b = t.Uniform(-1, 1, 3, 7); return t.Problem(() => Ops.MatMul(a, b, true, true), a, b); }),
            Case("bmm", "[3,5,7]·[3,7,4]", t => { var a = t.Uniform(-1, 1, 3, 5, 7); var b = t.Uniform(-1, 1, 3, 7, 4); return t.Problem(() => Ops.MatMul(a, b), a, b); }),
            Case("bmm_shared", "[3,5,7]·[4,7]ᵀ", t => { var a = t.Uniform(-1, 1, 3, 5, 7); var b = t.Uniform(-1, 1, 4, 7); return t.Problem(() => Ops.MatMul(a, b, false, true), a, b); }),
            Case("bmm_shared_tA", "[7,5]ᵀ·[3,7,4]", t => { var a = t.Uniform(-1, 1, 7, 5); var b = t.Uniform(-1, 1, 3, 7, 4); return t.Problem(() => Ops.MatMul(a, b, true, false), a, b); }),
            Case("softmax", "[3,4,9]", t => { var x = t.Uniform(-2, 2, 3, 4, 9); return t.Problem(() => Ops.Softmax(x), x); }),
            Case("conv2d", "[2,3,7,9]*[4,3,3,3] p1", t => { var x = t.Uniform(-1, 1, 2, 3, 7, 9); var w = t.Uniform(-0.5, 0.5, 4, 3, 3, 3); return t.Problem(() => Ops.Conv2d(x, w, 1, 1), x, w); }),
            Case("conv2d_s2", "[2,3,11,9]*[5,3,5,5] s2 p2", t => { var x = t.Uniform(-1, 1, 2, 3, 11, 9); var w = t.Uniform(-0.5, 0.5, 5, 3, 5, 5); return t.Problem(() => Ops.Conv2d(x, w, 2, 2), x, w); }),
            Case("conv2d_dil2", "[1,3,9,9]*[2,3,3,3] d2 p2", t => { var x = t.Uniform(-1, 1, 1, 3, 9, 9); var w = t.Uniform(-0.5, 0.5, 2, 3, 3, 3); return t.Problem(() => Ops.Conv2d(x, w, 1, 2, 2), x, w); }),
            Case("conv2d_groups", "[2,4,6,7]*[6,2,3,3] g2", t => { var x = t.Uniform(-1, 1, 2, 4, 6, 7); var w = t.Uniform(-0.5, 0.5, 6, 2, 3, 3); return t.Problem(() => Ops.Conv2d(x, w, 1, 1, 1, 2), x, w); }),
            Case("conv2d_depthwise", "[2,3,6,7]*[3,1,3,3] g3", t => { var x = t.Uniform(-1, 1, 2, 3, 6, 7); var w = t.Uniform(-0.5, 0.5, 3, 1, 3, 3); return t.Problem(() => Ops.Conv2d(x, w, 1, 0, 1, 3), x, w); }),
            Case("conv2d_1x1", "[2,5,4,3]*[3,5,1,1]", t => { var x = t.Uniform(-1, 1, 2, 5, 4, 3); var w = t.Uniform(-0.5, 0.5, 3, 5, 1, 1); return t.Problem(() => Ops.Conv2d(x, w), x, w); }),
            Case("batchnorm_train", "[3,4,5,3]", t =>
            {
                var x = t.Uniform(-1, 1, 3, 4, 5, 3); var g = t.Uniform(0.5, 1.5, 4); var b = t.Uniform(-0.5, 0.5, 4);
                return t.Problem(() => Ops.BatchNorm(x, g, b, null, null, training: true), x, g, b);
            }),
            Case("batchnorm_eval", "[3,4,5,3]", t =>
            {
                var x = t.Uniform(-1, 1, 3, 4, 5, 3); var g = t.Uniform(0.5, 1.5, 4); var b = t.Uniform(-0.5, 0.5, 4);
                var rm = t.Uniform(-0.2, 0.2, 4); var rv = t.Uniform(0.5, 1.5, 4);
                return t.Problem(() => Ops.BatchNorm(x, g, b, rm, rv, training: false), x, g, b);
            }),
            Case("maxpool2d", "[2,3,7,9] k3 s2 p1", t => { var x = t.Distinct(2, 3, 7, 9); return t.Problem(() => Ops.MaxPool2d(x, 3, 2, 1), x); }),
            Case("xcorr", "[2,3,9,11]⋆[2,3,3,4]", t => { var s = t.Uniform(-1, 1, 2, 3, 9, 11); var k = t.Uniform(-1, 1, 2, 3, 3, 4); return t.Problem(() => Ops.DepthwiseXcorr(s, k), s, k); }),
            Case("crop", "[2,3,9,11]→[2,3,5,6]", t =>
            {
                var x = t.Uniform(-1, 1, 2, 3, 9, 11);
                var boxes = t.Const(new[] { 1.3f, 0.7f, 8.9f, 6.1f, -2.2f, 3.4f, 6.6f, 11.8f }, 2, 4);
                var pad = t.Const(new[] { 0.2f, -0.1f, 0.5f }, 3);
                return t.Problem(() => Ops.CropResize(x, boxes, pad, 5, 6), x);
            }),
            Case("conv_bn_relu", "[2,3,8,7] → 4ch", t =>
            {
                var block = t.Own(new Sequential(new Conv2d(Dev(t), 3, 4, 3, padding: 1, rng: new Random(1)), new BatchNorm2d(Dev(t), 4), new ReLU()));
                var x = t.Uniform(-1, 1, 2, 3, 8, 7);
                return t.Problem(() => block.Forward(x), new[] { x }.Concat(block.Parameters()).ToArray());
            }, step: 1e-3),
            Case("conv_bn", "[2,3,8,7] → 4ch", t =>
            {
                var block = t.Own(new Sequential(new Conv2d(Dev(t), 3, 4, 3, padding: 1, rng: new Random(1)), new BatchNorm2d(Dev(t), 4)));
                var x = t.Uniform(-1, 1, 2, 3, 8, 7);
                return t.Problem(() => block.Forward(x), new[] { x }.Concat(block.Parameters()).ToArray());
            }),
            Case("siamese_head", "z[2,4,5,5] x[2,4,9,9]", t =>
            {
                var dev = Dev(t);
                var zb = t.Own(new Conv2d(dev, 4, 4, 3, rng: new Random(2)));
                var xb = t.Own(new Conv2d(dev, 4, 4, 3, rng: new Random(3)));
                var head = t.Own(new Conv2d(dev, 4, 2, 1, bias: true, rng: new Random(4)));
                var z = t.Uniform(-1, 1, 2, 4, 5, 5);
                var x = t.Uniform(-1, 1, 2, 4, 9, 9);
                var inputs = new[] { z, x }.Concat(zb.Parameters()).Concat(xb.Parameters()).Concat(head.Parameters()).ToArray();
                return t.Problem(() => head.Forward(Ops.DepthwiseXcorr(Ops.Sigmoid(xb.Forward(x)), zb.Forward(z))), inputs);
            }),
        };
        cases.AddRange(TrackerGradCases.All());
        return cases;
    }

    private static Device Dev(CaseTensors t) => t.Device;
}
