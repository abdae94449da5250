using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// What draws one kind of scene content: frame t onto a canvas (or, for a pass-through
/// composition, straight into a yuv420p frame), and the state that decides its pixels.
/// </summary>
internal interface IScenePainter : IDisposable
{
    void Render(SKCanvas canvas, double timeMs);

    /// <summary>
    /// Writes into <paramref name="state"/> everything that decides the pixels of frame t, so two
    /// frames with equal state are identical and the second need not be drawn or converted. False
    /// when the frame depends on time in a way the state does not capture (video).
    /// </summary>
    bool CaptureState(double t, List<double> state);

    /// <summary>Whether frames skip drawing and go to the encoder as decoded YUV (<see cref="Composition.PassThrough"/>).</summary>
    bool PassThrough { get; }

    /// <summary>
    /// Writes frame t of a pass-through scene straight into a yuv420p frame (no drawing, no RGB); returns the decoded
    /// source frame it was scaled from (an AVFrame, valid until the next call: an in-flight quality measurement keeps a reference).
    /// </summary>
    nint WriteYuv(double timeMs, nint yuvFrame);

    /// <summary>
    /// Frame t of a pass-through scene where the decoded frame already is the picture to encode (yuv420p at the output size,
    /// square pixels: <see cref="WriteYuv"/> would only copy it), else 0 (then <see cref="WriteYuv"/> converts it). Valid until the
    /// next call; the caller may keep a reference, never write into it.
    /// </summary>
    nint ShareYuv(double timeMs);

    /// <summary>Message sprites drawn from the cache / drawn anew (metrics; 0 where there are none).</summary>
    long SpriteHits { get; }
    long SpriteMisses { get; }
}

/// <summary>
/// Draws frame t of a scene with the painter of its content (<see cref="ChatPainter"/> for a chat,
/// <see cref="CompositionPainter"/> for clips). One renderer per thread; it owns every image and
/// decoder its painter opens.
/// </summary>
public sealed class FrameRenderer : IDisposable
{
    private readonly IScenePainter _painter;

    public FrameRenderer(Scene scene) : this(scene, null)
    {
    }

    /// <param name="log">Frames of the scene's input decoded by an earlier pass over it, or to record for a later one (<see cref="DecodeLog"/>).</param>
    internal FrameRenderer(Scene scene, DecodeLog? log)
    {
        Scene = scene;
        _painter = scene.Content switch
        {
            ChatContent chat => new ChatPainter(scene, chat),
            Composition composition => new CompositionPainter(composition, scene.Width, scene.Height, log),
            _ => throw new ArgumentException($"no painter for {scene.Content.GetType().Name}", nameof(scene)),
        };
    }

    public Scene Scene { get; }

    /// <summary>The painter of the scene's content (tests look at what it holds).</summary>
    internal IScenePainter Painter => _painter;

    /// <summary>Message sprites drawn from the cache / drawn anew (metrics).</summary>
    public long SpriteHits => _painter.SpriteHits;
    public long SpriteMisses => _painter.SpriteMisses;

    public static SKImageInfo FrameInfo(Scene scene) => new(scene.Width, scene.Height, SKColorType.Bgra8888, SKAlphaType.Premul);

    public void Render(SKCanvas canvas, double timeMs) => _painter.Render(canvas, timeMs);

    /// <inheritdoc cref="IScenePainter.PassThrough"/>
    public bool PassThrough => _painter.PassThrough;

    /// <inheritdoc cref="IScenePainter.WriteYuv"/>
    public nint WriteYuv(double timeMs, nint yuvFrame) => _painter.WriteYuv(timeMs, yuvFrame);

    /// <inheritdoc cref="IScenePainter.ShareYuv"/>
    public nint ShareYuv(double timeMs) => _painter.ShareYuv(timeMs);

    /// <inheritdoc cref="IScenePainter.CaptureState"/>
    public bool CaptureState(double t, List<double> state) => _painter.CaptureState(t, state);

    /// <summary>Renders frame t into a new raster image (previews, tests).</summary>
    public SKImage RenderImage(double timeMs)
    {
        using var surface = SKSurface.Create(FrameInfo(Scene)) ?? throw new EngineException(ErrorCodes.ResourceLimit, "cannot allocate a frame");
        Render(surface.Canvas, timeMs);
        return surface.Snapshot();
    }

    public void Dispose() => _painter.Dispose();
}
