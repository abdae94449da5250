namespace ReelSpeed.Engine;

/// <summary>Progress of a running job, reported at most every a tenth of a second.</summary>
public readonly record struct RenderProgress(int Frame, int TotalFrames, double Fps, double EtaMs, string Stage)
{
    public double Percent => TotalFrames == 0 ? 100 : Math.Round(100.0 * Frame / TotalFrames, 2);
}
