namespace ReelSpeed.Engine.Media;

/// <summary>How a clip is fitted to the output frame.</summary>
public enum VideoFit
{
    /// <summary>Scaled to fill the frame, the overflow cropped evenly (no bars).</summary>
    Cover,
    /// <summary>Scaled to fit inside the frame, bars of the background colour around it.</summary>
    Contain,
    /// <summary>Stretched to the frame's exact size (the aspect ratio changes).</summary>
    Fill,
}
