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

    /// <summary>Decoded frames a clip's decoder holds with frame threading: about one per thread plus its references.</summary>
    public const int DecoderFramesPerThread = 2;

    /// <summary>
    /// The clips of a processing scene: at most two decode at once (during a transition), each
    /// holding its decoded frames (in the source's size, one per decoder thread and references,
    /// counted at 2 bytes a pixel for 10-bit 4:2:0) and a BGRA frame of the output; a custom
    /// transition adds two frame buffers.
    /// </summary>
    private static long Clips(Scene scene, long bgra)
    {
        if (scene.Composition is not { } c) return 0;
        int threads = c.LowMemory ? 1 : Environment.ProcessorCount;
        // Without a clip (overlays over effects.background) nothing decodes but a background video, counted as one output-sized clip.
        long largest = c.Clips.Count == 0 ? (long)scene.Width * scene.Height * 3 : c.Clips.Max(k => (long)k.SourceWidth * k.SourceHeight * 3);
        long perClip = largest * (threads * DecoderFramesPerThread + 2) + bgra;
        long open = Math.Min(2, c.Clips.Count) * perClip;
        long backdrop = c.Backdrop is null ? 0 : bgra + (c.Backdrop.Kind == BackgroundKind.Video ? perClip : 0);
        return open + backdrop + (c.Transition?.Kind == TransitionKind.Custom ? 2 * bgra : 0);
    }

    public static long Estimate(Scene scene)
    {
        long bgra = (long)scene.Width * scene.Height * 4;
        long yuv = (long)scene.Width * scene.Height * 3 / 2;
        long frames = bgra + FrameProducer.RingSize * yuv + EncoderFrames * yuv;
        return frames + Chat(scene, bgra) + Clips(scene, bgra) + FixedOverheadBytes;
    }

    /// <summary>
    /// A chat story's own pictures: the cached background, the background clip's frame, and the
    /// message sprites — at most a screenful is cached at once, about a viewport of pixels twice over.
    /// A composition's background is one colour, drawn without a cached frame.
    /// </summary>
    private static long Chat(Scene scene, long bgra)
    {
        if (scene.Chat is not { } chat) return bgra;
        var bg = chat.Background;
        long background = bgra + (bg.Kind == BackgroundKind.Video ? (long)(bg.MediaRect.Width * bg.MediaRect.Height * 4) * 2 : 0);
        long sprites = (long)(chat.Viewport.Width * chat.Viewport.Height * 4) * 2;
        return background + sprites;
    }
}
