using Ulast.Tracker.IO;
using Ulast.Tracker.Model;

namespace Ulast.Tests.Tracker;

public class CheckpointTests
{
    private static readonly ModelConfig Tiny = new() { Backbone = "small", Channels = 16, Width = 8 };

    [Fact]
    public void RoundTripKeepsEveryTensorAndTheConfig()
    {
        using var dev = TestDevice.Cpu();
        var path = Path.Combine(Path.GetTempPath(), $"ulast-rt-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = new SiameseRpn(dev, Tiny with { Seed = 5 });
            Checkpoint.SaveModel(path, a);
            using var b = Checkpoint.LoadModel(path, dev, Tiny with { Seed = 5 });
            var sa = a.State().ToList();
            var sb = b.State().ToDictionary(s => s.Name, s => s.Tensor);
            Assert.Equal(sa.Count, sb.Count);
            foreach (var (name, t) in sa) Assert.Equal(t.ToArray(), sb[name].ToArray());
            // Other tools read it: 8-byte header length, JSON header with F32 tensors.
            var bytes = File.ReadAllBytes(path);
            long n = BitConverter.ToInt64(bytes, 0);
            var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)n);
            Assert.Contains("\"dtype\":\"F32\"", header);
            Assert.Contains("__metadata__", header);
            Assert.False(File.Exists(path + ".tmp-" + Environment.ProcessId));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedAtLoad()
    {
        using var dev = TestDevice.Cpu();
        var path = Path.Combine(Path.GetTempPath(), $"ulast-nan-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = new SiameseRpn(dev, Tiny);
            var (name, t) = a.State().First(s => s.Name.Contains("rpn.0.cls.head2", StringComparison.Ordinal));
            var v = t.ToArray();
            v[3] = float.NaN;
            t.CopyFrom(v);
            Checkpoint.SaveModel(path, a);
            var e = Assert.Throws<BadDataException>(() => Checkpoint.LoadModel(path, dev));
            Assert.Contains(name, e.Message);
            Assert.Contains("non-finite", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ClearErrorsForBrokenCheckpoints()
    {
        using var dev = TestDevice.Cpu();
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var good = Path.Combine(dir.FullName, "good.safetensors");
            using (var m = new SiameseRpn(dev, Tiny)) Checkpoint.SaveModel(good, m);
            var bytes = File.ReadAllBytes(good);

            var truncated = Path.Combine(dir.FullName, "truncated.safetensors");
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            Assert.Contains("truncated", Assert.Throws<BadDataException>(() => Checkpoint.LoadModel(truncated, dev)).Message);

            var tiny = Path.Combine(dir.FullName, "tiny.safetensors");
            File.WriteAllBytes(tiny, bytes[..5]);
            Assert.Throws<BadDataException>(() => Checkpoint.Read(tiny));

            Assert.Throws<FileNotFoundException>(() => Checkpoint.Read(Path.Combine(dir.FullName, "missing.safetensors")));

            Assert.Contains("was saved for config", Assert.Throws<BadDataException>(() => Checkpoint.LoadModel(good, dev, Tiny with { Channels = 32 })).Message);

            var contents = Checkpoint.Read(good);
            using var model = new SiameseRpn(dev, Tiny);
            var renamed = new Checkpoint.Contents(contents.Tensors.ToDictionary(kv => kv.Key == "neck.0.conv.weight" ? "neck.0.conv.weights" : kv.Key, kv => kv.Value), contents.Metadata);
            Assert.Contains("unexpected tensor 'neck.0.conv.weights'", Assert.Throws<BadDataException>(() => Checkpoint.LoadInto(model, renamed, "x")).Message);
            var reshaped = new Checkpoint.Contents(contents.Tensors.ToDictionary(kv => kv.Key, kv => kv.Key == "neck.0.bn.bias" ? (new[] { 2, kv.Value.Shape[0] / 2 }, kv.Value.Data) : kv.Value), contents.Metadata);
            Assert.Contains("has shape [2,8]", Assert.Throws<BadDataException>(() => Checkpoint.LoadInto(model, reshaped, "x")).Message);
            var partial = new Checkpoint.Contents(contents.Tensors.Where(kv => kv.Key != "rpn.0.cls.head2.bias").ToDictionary(kv => kv.Key, kv => kv.Value), contents.Metadata);
            Assert.Contains("missing tensor(s) rpn.0.cls.head2.bias", Assert.Throws<BadDataException>(() => Checkpoint.LoadInto(model, partial, "x")).Message);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>torchvision's ResNet-50 state_dict names and shapes at base width w (64 for the real one).</summary>
    private static List<(string, int[])> TorchvisionResNet50(int w)
    {
        var t = new List<(string, int[])>();
        void Bn(string n, int c) { foreach (var s in new[] { "weight", "bias", "running_mean", "running_var" }) t.Add(($"{n}.{s}", new[] { c })); t.Add(($"{n}.num_batches_tracked", new[] { 1 })); }
        t.Add(("conv1.weight", new[] { w, 3, 7, 7 })); Bn("bn1", w);
        int cin = w;
        var blocks = new[] { 3, 4, 6, 3 };
        for (int l = 0; l < 4; l++)
        {
            int planes = w << l;
            for (int b = 0; b < blocks[l]; b++)
            {
                string p = $"layer{l + 1}.{b}";
                t.Add(($"{p}.conv1.weight", new[] { planes, cin, 1, 1 })); Bn($"{p}.bn1", planes);
                t.Add(($"{p}.conv2.weight", new[] { planes, planes, 3, 3 })); Bn($"{p}.bn2", planes);
                t.Add(($"{p}.conv3.weight", new[] { planes * 4, planes, 1, 1 })); Bn($"{p}.bn3", planes * 4);
                if (b == 0) { t.Add(($"{p}.downsample.0.weight", new[] { planes * 4, cin, 1, 1 })); Bn($"{p}.downsample.1", planes * 4); }
                cin = planes * 4;
            }
        }
        t.Add(("fc.weight", new[] { 1000, cin })); t.Add(("fc.bias", new[] { 1000 }));
        return t;
    }

    [Fact]
    public void ImportsTorchvisionResNet50ByName()
    {
        using var dev = TestDevice.Cpu();
        var path = Path.Combine(Path.GetTempPath(), $"ulast-r50-{Guid.NewGuid():N}.safetensors");
        var persistent = new List<Tensor>();
        try
        {
            var names = TorchvisionResNet50(4);
            var rng = new Random(3);
            foreach (var (n, s) in names) { var x = Tensor.PersistentFromArray(dev, TestDevice.Random(rng, Tensor.SizeOf(s)), s); persistent.Add(x); }
            Checkpoint.Save(path, names.Select((n, i) => (n.Item1, persistent[i])), new Dictionary<string, string>());
            using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "resnet50", Width = 4, Channels = 8 });
            Checkpoint.ImportTorchvisionResNet50(model, path);
            var state = model.State().ToDictionary(s => s.Name, s => s.Tensor);
            int i = names.FindIndex(n => n.Item1 == "layer3.2.conv2.weight");
            Assert.Equal(persistent[i].ToArray(), state["backbone.layer3.2.conv2.weight"].ToArray());
            int j = names.FindIndex(n => n.Item1 == "layer2.0.downsample.1.running_var");
            Assert.Equal(persistent[j].ToArray(), state["backbone.layer2.0.downsample.1.running_var"].ToArray());
            // Every backbone tensor of the model is a torchvision name.
            var tv = names.Select(n => "backbone." + n.Item1).ToHashSet();
            Assert.All(state.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal)), k => Assert.Contains(k, tv));

            // A file without a layer is refused, naming what is missing.
            var partial = Path.Combine(Path.GetTempPath(), $"ulast-r50p-{Guid.NewGuid():N}.safetensors");
            Checkpoint.Save(partial, names.Select((n, k) => (n.Item1, persistent[k])).Where(p => !p.Item1.StartsWith("layer4", StringComparison.Ordinal)), new Dictionary<string, string>());
            try { Assert.Contains("layer4", Assert.Throws<BadDataException>(() => Checkpoint.ImportTorchvisionResNet50(model, partial)).Message); }
            finally { File.Delete(partial); }
        }
        finally
        {
            File.Delete(path);
            foreach (var t in persistent) t.Dispose();
        }
    }

    [Fact]
    public void AveragingGivesTheMeanOfEveryTensorAndRefusesAnotherNetwork()
    {
        using var dev = TestDevice.Cpu();
        var dir = Directory.CreateTempSubdirectory("ulast-avg-");
        try
        {
            var paths = new List<string>();
            var models = new List<SiameseRpn>();
            var rng = new Random(3);
            for (int k = 1; k <= 3; k++)
            {
                // Checkpoints of one run share the config: same network, weights moved apart.
                var m = new SiameseRpn(dev, Tiny);
                foreach (var (_, t) in m.State()) t.CopyFrom(t.ToArray().Select(v => v + (float)(rng.NextDouble() - 0.5)).ToArray());
                paths.Add(Path.Combine(dir.FullName, $"m{k}.safetensors"));
                Checkpoint.SaveModel(paths[^1], m);
                models.Add(m);
            }
            using (var avg = CheckpointAverage.Average(paths, dev))
            {
                var states = models.Select(m => m.State().ToDictionary(s => s.Name, s => s.Tensor.ToArray())).ToList();
                foreach (var (name, t) in avg.State())
                {
                    var got = t.ToArray();
                    for (int j = 0; j < got.Length; j += Math.Max(1, got.Length / 50))
                        Assert.True(Math.Abs((states[0][name][j] + (double)states[1][name][j] + states[2][name][j]) / 3 - got[j]) < 1e-5, $"{name}[{j}]");
                }
                // The average differs from each of its parts.
                Assert.NotEqual(states[0]["rpn.0.cls.head2.weight"], avg.State().First(s => s.Name == "rpn.0.cls.head2.weight").Tensor.ToArray());
            }
            using (var other = new SiameseRpn(dev, Tiny with { Channels = 32 }))
            {
                Checkpoint.SaveModel(Path.Combine(dir.FullName, "other.safetensors"), other);
                Assert.Throws<BadDataException>(() => CheckpointAverage.Average(new[] { paths[0], Path.Combine(dir.FullName, "other.safetensors") }, dev));
            }
            foreach (var m in models) m.Dispose();
        }
        finally { dir.Delete(true); }
    }
}
