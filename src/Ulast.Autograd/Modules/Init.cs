namespace Ulast.Autograd.Modules;

/// <summary>Seeded weight initialisation on the host, uploaded once.</summary>
public static class Init
{
    /// <summary>Standard normal samples (Box–Muller).</summary>
    public static float[] Normal(Random rng, int count, double std, double mean = 0)
    {
        var v = new float[count];
        for (int i = 0; i < count; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2 * Math.Log(u1));
            v[i] = (float)(mean + std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < count) v[i + 1] = (float)(mean + std * r * Math.Sin(2 * Math.PI * u2));
        }
        return v;
    }

    public static float[] Uniform(Random rng, int count, double low, double high)
    {
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(low + (high - low) * rng.NextDouble());
        return v;
    }

    /// <summary>Kaiming (He) normal for ReLU networks: std = √(2 / fan_in).</summary>
    public static float[] KaimingNormal(Random rng, int count, int fanIn) => Normal(rng, count, Math.Sqrt(2.0 / fanIn));
}
