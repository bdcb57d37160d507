namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] A discriminative stage beside the Siamese response: a linear filter on the search features, learned online
/// by ridge regression towards a Gaussian centred on the target (a correlation filter in the spatial domain, solved by
/// steepest descent as DiMP's model predictor does). TRAINING-NOTES: the from-scratch trackers that worked had such a
/// stage (UDT → UDT+, LUDT → LUDT+: about 4 AUC points). On in the `shipped` preset, `ulast track`'s default (`--preset siamese` leaves it out); in `ulast eval`
/// the tracker `ulast-dcf` (`--filter` adds NAME-dcf for every model).
/// Defaults chosen on the dev sequences for the shipped model (docs/notebook/experiments.md, "A discriminative filter").
/// </summary>
public sealed record FilterConfig
{
    /// <summary>β: the per-cell score is (1 − β)·p_anchor + β·r_cell, r the filter's response.</summary>
    public float Weight { get; init; } = 0.9f;
    /// <summary>λ: ridge regularisation of the filter, against the mean squared error per sample.</summary>
    public float Lambda { get; init; } = 0.01f;
    /// <summary>σ of the Gaussian label, in feature cells (stride 8 px in the search crop).</summary>
    public float Sigma { get; init; } = 1.0f;
    /// <summary>Filter side in cells (7: the template's cells, so the 31×31 search features give the 25×25 score map).</summary>
    public int Size { get; init; } = 7;
    /// <summary>Steepest-descent iterations when the first frame's samples are learned.</summary>
    public int InitIterations { get; init; } = 20;
    /// <summary>Steepest-descent iterations after each new sample.</summary>
    public int UpdateIterations { get; init; } = 3;
    /// <summary>Frames between two samples (and two updates).</summary>
    public int UpdateInterval { get; init; } = 5;
    /// <summary>Samples kept; the first frame's are never evicted.</summary>
    public int Capacity { get; init; } = 20;
    /// <summary>A frame becomes a sample only when its best (mixed) score is at least this; 0: every UpdateInterval-th frame.</summary>
    public float MinScore { get; init; } = 0f;
    /// <summary>Shifted copies of the first frame's crop learned with it (their labels shifted alike): 0 or 4.</summary>
    public int InitShifts { get; init; } = 4;
    /// <summary>
    /// Channels the filter learns on: 0 for all of the search features', or this many principal directions of the
    /// first frame's features (ECO's factorised features [ours]): each correlation then costs Channels/C as much.
    /// 64 of the shipped model's 128: about the same accuracy at a higher frame rate (docs/notebook/experiments.md).
    /// </summary>
    public int Channels { get; init; } = 64;
    /// <summary>Conjugate directions instead of steepest descent (same cost per step; faster convergence on the ridge problem).</summary>
    public bool ConjugateGradient { get; init; }
    /// <summary>Weight growth of newer samples (DiMP's learning rate): sample k weighs (1 − rate)^(age).</summary>
    public float SampleDecay { get; init; } = 0.05f;

    /// <summary>
    /// α: the target's centre is (1 − α)·(the best anchor's regressed centre) + α·(the filter response's peak near that
    /// anchor's cell, refined to a fraction of a cell by a parabola along x and y). 0: the regression alone.
    /// </summary>
    public float PositionWeight { get; init; } = 1f;

    public void Validate()
    {
        if (!(PositionWeight >= 0 && PositionWeight <= 1)) throw new ArgumentException($"filter position weight α must lie in [0, 1], got {PositionWeight}.");
        if (!(Weight >= 0 && Weight <= 1)) throw new ArgumentException($"filter weight β must lie in [0, 1], got {Weight}.");
        if (!(Lambda > 0) || !float.IsFinite(Lambda)) throw new ArgumentException($"filter λ must be positive, got {Lambda}.");
        if (!(Sigma > 0) || !float.IsFinite(Sigma)) throw new ArgumentException($"filter σ must be positive, got {Sigma}.");
        if (Size < 1 || Size % 2 == 0) throw new ArgumentException($"filter size must be odd and positive, got {Size}.");
        if (InitIterations < 1 || UpdateIterations < 0) throw new ArgumentException("filter iterations: at least 1 at the first frame and 0 or more per update.");
        if (UpdateInterval < 1) throw new ArgumentException($"filter update interval must be at least 1 frame, got {UpdateInterval}.");
        if (Capacity < 1 + InitShifts || Capacity > 500) throw new ArgumentException($"filter capacity must hold the first frame's {1 + InitShifts} samples and at most 500, got {Capacity}.");
        if (InitShifts is not (0 or 4)) throw new ArgumentException($"filter init shifts must be 0 or 4, got {InitShifts}.");
        if (!(SampleDecay >= 0 && SampleDecay < 1)) throw new ArgumentException($"filter sample decay must lie in [0, 1), got {SampleDecay}.");
        if (Channels is < 0 or > 4096) throw new ArgumentException($"filter channels must be 0 (all) or up to 4096, got {Channels}.");
        if (!float.IsFinite(MinScore)) throw new ArgumentException($"filter min score must be finite, got {MinScore}.");
    }
}
