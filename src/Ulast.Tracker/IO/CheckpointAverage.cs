using Ulast.Tracker.Model;

namespace Ulast.Tracker.IO;

/// <summary>
/// [ours] Weight averaging of checkpoints of one run (as in stochastic weight averaging): every parameter and
/// BatchNorm statistic is the mean over the checkpoints. Late checkpoints of a noisy from-scratch run differ by
/// ±0.1 AUC on single sequences; their mean is one smoother model instead of a pick among them.
/// </summary>
public static class CheckpointAverage
{
    /// <summary>The model of the first checkpoint with every state tensor averaged over all of them (same config required).</summary>
    public static SiameseRpn Average(IReadOnlyList<string> paths, Device device)
    {
        if (paths.Count == 0) throw new ArgumentException("Averaging needs at least one checkpoint.");
        var model = Checkpoint.LoadModel(paths[0], device);
        try
        {
            var state = model.State().ToList();
            var sums = state.Select(s => s.Tensor.ToArray().Select(v => (double)v).ToArray()).ToList();
            foreach (var path in paths.Skip(1))
            {
                // LoadModel checks the config, every name, shape and value; the loaded copy is only read.
                using var other = Checkpoint.LoadModel(path, device, model.Config);
                var values = other.State().ToDictionary(s => s.Name, s => s.Tensor);
                for (int i = 0; i < state.Count; i++)
                {
                    var data = values[state[i].Name].ToArray();
                    for (int j = 0; j < data.Length; j++) sums[i][j] += data[j];
                }
            }
            for (int i = 0; i < state.Count; i++)
                state[i].Tensor.CopyFrom(sums[i].Select(v => (float)(v / paths.Count)).ToArray());
            return model;
        }
        catch { model.Dispose(); throw; }
    }
}
