using System.Globalization;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// A track as `ulast track` writes it: one line per frame, <c>x,y,w,h,score,state</c> (state: tracking, uncertain or
/// lost; the box in the sequence's convention, 1-based for OTB-style folders), or the plain <c>x,y,w,h</c> of ground
/// truth. The reader takes back what the writer wrote, and refuses anything else in one line naming file and line.
/// </summary>
public static class TrackOutput
{
    public sealed record Frame(BoxF Box, float Score, TargetState State);

    public static string Format(IReadOnlyList<BoxF> boxes, IReadOnlyList<float> scores, IReadOnlyList<TargetState> states, bool oneBased)
    {
        if (scores.Count != boxes.Count || states.Count != boxes.Count) throw new ArgumentException("A score and a state for every box.");
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < boxes.Count; i++)
        {
            sb.Append(GroundTruth.FormatBox(boxes[i], oneBased)).Append(',').Append(float.IsFinite(scores[i]) ? scores[i].ToString("0.####", CultureInfo.InvariantCulture) : "nan")
              .Append(',').Append(TargetStates.Name(states[i])).Append('\n');
        }
        return sb.ToString();
    }

    public static List<Frame> Parse(string text, string source, bool oneBased)
    {
        var frames = new List<Frame>();
        var lines = text.Replace("\r", "").TrimEnd('\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var p = lines[i].Split(',', StringSplitOptions.TrimEntries);
            if (p.Length != 6) throw new BadDataException($"{source}:{i + 1}: expected x,y,w,h,score,state (6 fields), found {p.Length}.");
            var v = new float[5];
            for (int j = 0; j < 5; j++)
                if (!float.TryParse(p[j], NumberStyles.Float, CultureInfo.InvariantCulture, out v[j]))
                    throw new BadDataException($"{source}:{i + 1}: '{BadDataException.Quote(p[j])}' is not a number.");
            if (!(v[4] is >= 0 and <= 1) && !float.IsNaN(v[4])) throw new BadDataException($"{source}:{i + 1}: score {p[4]} lies outside [0, 1].");
            var box = new BoxF(v[0], v[1], v[2], v[3]);
            frames.Add(new Frame(box.IsValid && oneBased ? box.Shift(-1, -1) : box, v[4], TargetStates.Parse(p[5], $"{source}:{i + 1}")));
        }
        return frames;
    }
}
