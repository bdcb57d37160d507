using Ulast.Tracker.Data;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>
/// Dynamic programming over per-frame candidates (ULAST §3, step 3): the path maximising
/// Σ BoxWeight·score + Σ transition, with transition(a, b) = IoU(a, b) − w·d²/c² (d: centre distance,
/// c: diagonal of the enclosing box), multiplied by NegativeFactor when negative. Frames with no
/// candidate are left out of the chain. Returns the chosen candidate index per frame (−1 where none).
/// </summary>
public static class PathLinker
{
    public static double Transition(BoxF a, BoxF b, PseudoLabelConfig cfg)
    {
        double iou = a.Iou(b);
        double dx = a.Cx - b.Cx, dy = a.Cy - b.Cy;
        double ex = Math.Max(a.Right, b.Right) - Math.Min(a.X, b.X), ey = Math.Max(a.Bottom, b.Bottom) - Math.Min(a.Y, b.Y);
        double c2 = Math.Max(1e-9, ex * ex + ey * ey);
        double r = iou - cfg.DistanceWeight * (dx * dx + dy * dy) / c2;
        return r < 0 ? r * cfg.NegativeFactor : r;
    }

    public static int[] Link(IReadOnlyList<IReadOnlyList<Candidate>> frames, PseudoLabelConfig cfg)
    {
        int n = frames.Count;
        var choice = Enumerable.Repeat(-1, n).ToArray();
        var chain = Enumerable.Range(0, n).Where(i => frames[i].Count > 0).ToArray();
        if (chain.Length == 0) return choice;
        var score = new double[chain.Length][];
        var back = new int[chain.Length][];
        for (int c = 0; c < chain.Length; c++)
        {
            var cands = frames[chain[c]];
            score[c] = new double[cands.Count];
            back[c] = new int[cands.Count];
            for (int j = 0; j < cands.Count; j++)
            {
                double own = cfg.BoxWeight * cands[j].Score;
                if (c == 0) { score[c][j] = own; back[c][j] = -1; continue; }
                var prev = frames[chain[c - 1]];
                double best = double.NegativeInfinity;
                int arg = 0;
                for (int i = 0; i < prev.Count; i++)
                {
                    double v = score[c - 1][i] + Transition(prev[i].Box, cands[j].Box, cfg);
                    if (v > best) { best = v; arg = i; }
                }
                score[c][j] = best + own;
                back[c][j] = arg;
            }
        }
        int last = chain.Length - 1;
        int k = Array.IndexOf(score[last], score[last].Max());
        for (int c = last; c >= 0; c--)
        {
            choice[chain[c]] = k;
            k = back[c][k];
        }
        return choice;
    }
}
