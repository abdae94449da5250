namespace ReelSpeed.Engine.Scenes;

/// <summary>Easing curves over a normalised progress 0..1.</summary>
public static class Easing
{
    public static double Clamp01(double x) => x < 0 ? 0 : x > 1 ? 1 : x;

    public static double Linear(double p) => Clamp01(p);

    /// <summary>Fast start, soft landing: the default for things entering the screen.</summary>
    public static double EaseOutCubic(double p)
    {
        p = Clamp01(p);
        var q = 1 - p;
        return 1 - q * q * q;
    }

    /// <summary>Overshoots by about 10 % and settles: the "pop" of a bubble.</summary>
    public static double EaseOutBack(double p)
    {
        p = Clamp01(p);
        const double c1 = 1.70158, c3 = c1 + 1;
        double q = p - 1;
        return 1 + c3 * q * q * q + c1 * q * q;
    }

    public static double EaseInOutCubic(double p)
    {
        p = Clamp01(p);
        return p < 0.5 ? 4 * p * p * p : 1 - Math.Pow(-2 * p + 2, 3) / 2;
    }
}
