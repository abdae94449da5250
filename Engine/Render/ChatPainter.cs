using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Draws frame t of a chat story: the cached static background, the looping background clip,
/// then the chat layer — typing indicators and message sprites at their animated places,
/// scrolled, fading out under the top edge of the viewport — and the header on top.
/// Sprites are drawn at whole-pixel positions so settled text stays exactly as painted.
/// One painter per thread; it owns every image it decodes.
/// </summary>
internal sealed class ChatPainter : IScenePainter
{
    /// <summary>Height of the band at the top of the viewport where scrolled-away messages fade out, as a fraction of it.</summary>
    public const float TopFadeFraction = 0.05f;

    private readonly Scene _scene;
    private readonly ChatContent _chat;
    private readonly ImageCache _images = new();
    private readonly MessagePainter _painter;
    private readonly SKImage _background;
    private readonly VideoFrameSource? _video;
    private readonly SKPaint _videoPaint;
    private readonly SKPaint _black = new() { Color = SKColors.Black };
    private readonly SKImage?[] _sprites;
    /// <summary>The frame each sprite was last drawn in; a sprite not drawn in the latest frame is freed (with its picture).</summary>
    private int[] _drawnIn = Array.Empty<int>();
    private int _frame;
    private readonly SKImage? _header;
    private readonly SKPaint _spritePaint = new() { IsAntialias = false };
    private readonly SKPaint _layerPaint = new();
    private readonly SKPaint _fadePaint;
    private readonly SKRect _fadeBand;
    private readonly SKSamplingOptions _nearest = new(SKFilterMode.Nearest);
    private readonly SKSamplingOptions _linear = new(SKFilterMode.Linear);

    public ChatPainter(Scene scene, ChatContent chat)
    {
        _scene = scene;
        _chat = chat;
        _painter = new MessagePainter(_images.Get);
        try
        {
            _background = BackgroundPainter.Render(chat.Background, scene.Width, scene.Height, _images.Get);
            var bg = chat.Background;
            if (bg.Kind == BackgroundKind.Video && !bg.GreenScreen)
                _video = new VideoFrameSource(bg.MediaPath!, "backgroundSettings.backgroundUrl", (int)bg.MediaRect.Width, (int)bg.MediaRect.Height);
            _videoPaint = BackgroundPainter.LayerPaint(bg);
            _sprites = new SKImage?[chat.Bubbles.Count];
            _drawnIn = new int[chat.Bubbles.Count];
            if (chat.Header is { } header) _header = RenderHeader(header);

            var v = chat.Viewport;
            _fadeBand = new SKRect(0, v.Top, scene.Width, v.Top + MathF.Max(1, MathF.Round(v.Height * TopFadeFraction)));
            _fadePaint = new SKPaint
            {
                BlendMode = SKBlendMode.DstIn,
                Shader = SKShader.CreateLinearGradient(new SKPoint(0, _fadeBand.Top), new SKPoint(0, _fadeBand.Bottom),
                    new[] { SKColors.Black.WithAlpha(0), SKColors.Black }, null, SKShaderTileMode.Clamp),
            };
            _layerPaint.Color = SKColors.White.WithAlpha((byte)Math.Round(chat.ChatOpacity * 255));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Message sprites drawn from the cache / drawn anew (metrics).</summary>
    public long SpriteHits { get; private set; }
    public long SpriteMisses { get; private set; }

    /// <summary>Message sprites held now, and decoded images (pictures, avatars, an image background).</summary>
    public int SpritesHeld => _sprites.Count(s => s is not null);
    public int ImagesHeld => _images.Count;

    public void Render(SKCanvas canvas, double timeMs)
    {
        _frame++;
        canvas.DrawImage(_background, 0, 0, _nearest, null);
        if (_video is not null) DrawVideo(canvas, timeMs);

        bool layer = _chat.ChatOpacity < 1;
        if (layer) canvas.SaveLayer(_layerPaint);
        var v = _chat.Viewport;
        float scroll = _chat.Scroll.Evaluate(timeMs);

        // Below the fade band: messages as they are. Inside it (once scrolled): the same
        // messages in a small layer masked to fade out towards the top edge.
        canvas.Save();
        canvas.ClipRect(new SKRect(0, scroll > 0 ? _fadeBand.Bottom : v.Top, _scene.Width, _chat.ClipBottom));
        DrawChat(canvas, timeMs, scroll, count: true);
        canvas.Restore();
        if (scroll > 0)
        {
            canvas.SaveLayer(_fadeBand, null);
            canvas.ClipRect(_fadeBand);
            DrawChat(canvas, timeMs, scroll, count: false);
            canvas.DrawRect(_fadeBand, _fadePaint);
            canvas.Restore();
        }

        if (_header is not null) canvas.DrawImage(_header, _chat.Header!.Bounds.Left, _chat.Header.BackgroundTop, _nearest, null);
        if (layer) canvas.Restore();
        FreeOffscreenSprites();
    }

    /// <summary>
    /// Frees the sprites (and message pictures) of messages not drawn in this frame: only what is
    /// on screen stays in memory, however long the story (a message drawn again later is painted
    /// anew, as a frame rendered out of order would anyway).
    /// </summary>
    private void FreeOffscreenSprites()
    {
        foreach (var b in _chat.Bubbles)
        {
            if (_sprites[b.Index] is not { } sprite || _drawnIn[b.Index] == _frame) continue;
            sprite.Dispose();
            _sprites[b.Index] = null;
            if (b.Picture is { } pic) _images.Remove(pic.Path, pic.Rect.Size);
        }
    }

    public bool PassThrough => false;

    public nint WriteYuv(double timeMs, nint yuvFrame) => throw new InvalidOperationException("a chat story's frames are drawn");

    public nint ShareYuv(double timeMs) => throw new InvalidOperationException("a chat story's frames are drawn");

    /// <summary>
    /// The state of frame t: the scroll offset, each drawn message's place, opacity, scale and
    /// revealed text, each typing indicator's place and dot phase. False with a background video
    /// (the frame also depends on time through it).
    /// </summary>
    public bool CaptureState(double t, List<double> state)
    {
        state.Clear();
        if (_video is not null) return false;
        var v = _chat.Viewport;
        float scroll = _chat.Scroll.Evaluate(t);
        state.Add(scroll);
        foreach (var ind in _chat.TypingIndicators)
        {
            if (!ind.VisibleAt(t)) continue;
            state.Add(-1 - ind.ForMessage);
            state.Add((t - ind.StartMs) % TypingIndicator.DotPeriodMs);
        }
        foreach (var b in _chat.Bubbles)
        {
            var st = b.Animation.Evaluate(t);
            if (!st.Visible || st.Opacity <= 0) continue;
            float top = v.Top + b.Bounds.Top - scroll + st.OffsetY;
            int margin = MessagePainter.Margin(b);
            if (top + b.Bounds.Height + margin < v.Top || top - margin > _chat.ClipBottom) continue;
            state.Add(b.Index);
            state.Add(MathF.Round(top));
            state.Add(MathF.Round(b.Bounds.Left + st.OffsetX));
            state.Add(Math.Round(st.Opacity * 255));
            state.Add(st.Scale);
            state.Add(b.Animation.Kind == MessageAnimation.Typewriter ? MessagePainter.RevealedLength(b.Text, st.Reveal) : 0);
        }
        return true;
    }

    private void DrawVideo(SKCanvas canvas, double timeMs)
    {
        var rect = _chat.Background.MediaRect;
        canvas.Save();
        canvas.ClipRect(rect);
        if (_chat.Background.Opacity < 1 || _chat.Background.BlurRadius > 0) canvas.DrawRect(rect, _black);
        _video!.Draw(canvas, timeMs, new SKPoint(rect.Left, rect.Top), _nearest, _videoPaint);
        canvas.Restore();
    }

    private void DrawChat(SKCanvas canvas, double t, float scroll, bool count)
    {
        var v = _chat.Viewport;
        float clipBottom = _chat.ClipBottom;
        foreach (var ind in _chat.TypingIndicators)
        {
            if (!ind.VisibleAt(t)) continue;
            float top = MathF.Round(v.Top + ind.Bounds.Top - scroll);
            if (top + ind.Bounds.Height < v.Top || top > clipBottom) continue;
            TypingPainter.Paint(canvas, ind, ind.Bounds.Left, top, t);
        }
        foreach (var b in _chat.Bubbles)
        {
            var state = b.Animation.Evaluate(t);
            if (!state.Visible || state.Opacity <= 0) continue;
            float top = v.Top + b.Bounds.Top - scroll + state.OffsetY;
            int margin = MessagePainter.Margin(b);
            if (top + b.Bounds.Height + margin < v.Top || top - margin > clipBottom) continue;
            bool typewriter = b.Animation.Kind == MessageAnimation.Typewriter;
            if (count)
            {
                if (_sprites[b.Index] is null) SpriteMisses++;
                else SpriteHits++;
            }
            var sprite = _sprites[b.Index] ??= _painter.RenderSprite(b, withText: !typewriter);
            _drawnIn[b.Index] = _frame;
            float x = MathF.Round(b.Bounds.Left + state.OffsetX);
            float y = MathF.Round(top);
            _spritePaint.Color = SKColors.White.WithAlpha((byte)Math.Round(state.Opacity * 255));
            if (state.Scale != 1)
            {
                canvas.Save();
                canvas.Scale(state.Scale, state.Scale, x + b.PopOrigin.X, y + b.PopOrigin.Y);
                canvas.DrawImage(sprite, x - margin, y - margin, _linear, _spritePaint);
                canvas.Restore();
            }
            else
            {
                canvas.DrawImage(sprite, x - margin, y - margin, _nearest, _spritePaint);
            }
            if (typewriter) MessagePainter.PaintText(canvas, b, x, y, state.Reveal);
        }
    }

    private SKImage RenderHeader(HeaderElement h)
    {
        int w = (int)MathF.Ceiling(h.Bounds.Width), hh = (int)MathF.Ceiling(h.Bounds.Bottom - h.BackgroundTop);
        using var surface = SKSurface.Create(new SKImageInfo(w, hh, SKColorType.Bgra8888, SKAlphaType.Premul))
            ?? throw new EngineException(ErrorCodes.ResourceLimit, "cannot allocate the header");
        var c = surface.Canvas;
        c.Clear(SKColors.Transparent);
        float ox = -h.Bounds.Left, oy = -h.BackgroundTop;
        using (var bg = new SKPaint { Color = h.Background, IsAntialias = true })
            c.DrawRect(0, 0, w, hh, bg);
        using (var divider = new SKPaint { Color = h.Divider, StrokeWidth = h.DividerWidth })
            c.DrawLine(0, hh - divider.StrokeWidth / 2, w, hh - divider.StrokeWidth / 2, divider);
        var avatar = h.AvatarRect;
        avatar.Offset(ox, oy);
        MessagePainter.PaintAvatar(c, h.AvatarPath, h.Initials, h.AvatarColor, avatar, _images.Get, "chatOverlay.avatarUrl");
        using (var title = new SKPaint { IsAntialias = true, Color = h.TitleColor })
            TextPainter.DrawText(c, h.Title, h.TitleOrigin.X + ox, h.TitleOrigin.Y + oy, title);
        if (h.Subtitle is not null)
        {
            using var sub = new SKPaint { IsAntialias = true, Color = h.SubtitleColor };
            TextPainter.DrawText(c, h.Subtitle, h.SubtitleOrigin.X + ox, h.SubtitleOrigin.Y + oy, sub);
        }
        return surface.Snapshot();
    }


    public void Dispose()
    {
        _background?.Dispose();
        _video?.Dispose();
        _videoPaint?.ImageFilter?.Dispose();
        _videoPaint?.Dispose();
        if (_sprites is not null)
            foreach (var s in _sprites) s?.Dispose();
        _header?.Dispose();
        _spritePaint.Dispose();
        _black.Dispose();
        _layerPaint.Dispose();
        _fadePaint?.Shader?.Dispose();
        _fadePaint?.Dispose();
        _images.Dispose();
    }
}
