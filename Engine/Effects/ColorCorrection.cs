namespace ReelSpeed.Engine.Effects;

/// <summary>
/// <c>effects.color_correction</c>: brightness, contrast and saturation are factors (1 neutral,
/// as CSS filters: brightness scales RGB, contrast scales around mid-grey, saturation 0 is
/// grey), hue shift in degrees.
/// </summary>
public sealed record ColorCorrection(double Brightness, double Contrast, double Saturation, double HueShiftDegrees)
{
    public static readonly ColorCorrection Neutral = new(1, 1, 1, 0);
    public bool IsNeutral => Brightness == 1 && Contrast == 1 && Saturation == 1 && HueShiftDegrees % 360 == 0;
}
