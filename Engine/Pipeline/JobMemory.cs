using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// What a render job holds at its peak, estimated from the scene before it starts (used for
/// admission under <c>memoryLimitMb</c>): the frame pool, the converted frame, x264's
/// lookahead and reference pictures, the cached background, the background clip's frame,
/// the message sprites on screen, and a fixed overhead for codecs and buffers.
/// </summary>
public static class JobMemory
{
    /// <summary>Frames x264 (preset veryfast, threads auto on few cores) keeps in yuv420p: lookahead, references, threads.</summary>
    public const int EncoderFrames = 24;
    public const long FixedOverheadBytes = 40L << 20;

    public static long Estimate(Scene scene)
    {
        long bgra = (long)scene.Width * scene.Height * 4;
        long yuv = (long)scene.Width * scene.Height * 3 / 2;
        long frames = bgra + RenderJob.PoolSize * yuv + EncoderFrames * yuv;
        long background = bgra + (scene.Background.Kind == BackgroundKind.Video ? (long)(scene.Background.MediaRect.Width * scene.Background.MediaRect.Height * 4) * 2 : 0);
        // Sprites: at most a screenful of messages is cached at once, about a viewport of pixels twice over.
        long sprites = (long)(scene.Viewport.Width * scene.Viewport.Height * 4) * 2;
        return frames + background + sprites + FixedOverheadBytes;
    }
}
