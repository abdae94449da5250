namespace ReelSpeed.Engine;

/// <summary>
/// When jobs use a hardware video encoder (<c>enableHardwareAcceleration</c>): never
/// (<c>false</c>), when a working one exists (<c>"auto"</c>, software otherwise without comment),
/// or on request (<c>true</c>: when none works or it fails for a job, the job uses the software
/// encoder and its result says why in <c>hardwareFallback</c>).
/// </summary>
public enum HardwareAcceleration
{
    Off,
    Auto,
    Required,
}
