using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Scenes;
using SkiaSharp;
using ReelSpeed.Engine.Text;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// Draws one message element in its template's style — shadow, body (rounded, with an
/// iMessage tail or a WhatsApp notch, or a gradient), picture, name label, Discord avatar and
/// text — into a sprite once; frames composite sprites. Typewriter messages get a sprite
/// without text, and their text is drawn per frame up to the revealed length.
/// </summary>
public sealed class MessagePainter
{
    private readonly Func<string, string, SKSize, SKImage> _loadImage;

    /// <param name="loadImage">Decodes (path, config field, size drawn at) into an upright image; owned by the caller's cache.</param>
    public MessagePainter(Func<string, string, SKSize, SKImage> loadImage) => _loadImage = loadImage;

    /// <summary>Transparent border around the element in its sprite: room for the shadow and tail.</summary>
    public static int Margin(Bubble b) => (int)MathF.Ceiling(b.ShadowBlur * 3 + Math.Abs(b.ShadowOffsetY) + b.TailCornerRadius * 0.5f + 2);

    public SKImage RenderSprite(Bubble b, bool withText)
    {
        int margin = Margin(b);
        int w = (int)MathF.Ceiling(b.Bounds.Width) + 2 * margin;
        int h = (int)MathF.Ceiling(b.Bounds.Height) + 2 * margin;
        var info = new SKImageInfo(w, h, SKColorType.Bgra8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new EngineException(ErrorCodes.ResourceLimit, $"cannot allocate a {w}x{h} message sprite");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        Paint(canvas, b, margin, margin, withText);
        return surface.Snapshot();
    }

    /// <summary>Draws the element with its box's top-left corner at (x, y).</summary>
    public void Paint(SKCanvas canvas, Bubble b, float x, float y, bool withText = true)
    {
        if (b.Style != BubbleStyle.Discord) PaintBody(canvas, b, x, y);
        if (b.Avatar is { } av) PaintAvatar(canvas, av.Path, av.Initials, av.Color, SKRect.Create(x + av.Rect.Left, y + av.Rect.Top, av.Rect.Width, av.Rect.Height), _loadImage, "messages[].avatar");
        if (b.Label is { } label)
        {
            using var lp = new SKPaint { IsAntialias = true, Color = label.Color };
            TextPainter.DrawText(canvas, label.Block, x + label.Origin.X, y + label.Origin.Y, lp);
        }
        if (b.Picture is { } pic)
        {
            var image = _loadImage(pic.Path, $"messages[{b.Index}].imageUrl", pic.Rect.Size);
            var dst = SKRect.Create(x + b.Body.Left + pic.Rect.Left, y + b.Body.Top + pic.Rect.Top, pic.Rect.Width, pic.Rect.Height);
            if (b.Style == BubbleStyle.Discord) dst = SKRect.Create(x + pic.Rect.Left, y + pic.Rect.Top, pic.Rect.Width, pic.Rect.Height);
            DrawCover(canvas, image, dst, pic.CornerRadius);
        }
        if (withText) PaintText(canvas, b, x, y, 1f);
    }

    /// <summary>Draws the message's text, the first <paramref name="reveal"/> fraction of it (typewriter).</summary>
    public static void PaintText(SKCanvas canvas, Bubble b, float x, float y, float reveal)
    {
        if (b.Text.Length == 0 || reveal <= 0) return;
        using var paint = new SKPaint { IsAntialias = true, Color = b.TextColor };
        TextPainter.DrawText(canvas, b.TextBlock, x + b.TextOrigin.X, y + b.TextOrigin.Y, paint, RevealedLength(b.Text, reveal));
    }

    /// <summary>How many UTF-16 units of the text are visible at a reveal fraction, whole graphemes only.</summary>
    public static int RevealedLength(string text, float reveal)
    {
        if (reveal >= 1) return text.Length;
        var starts = System.Globalization.StringInfo.ParseCombiningCharacters(text);
        int count = (int)MathF.Floor(starts.Length * reveal);
        return count >= starts.Length ? text.Length : starts[count];
    }

    private static void PaintBody(SKCanvas canvas, Bubble b, float x, float y)
    {
        var body = SKRect.Create(x + b.Body.Left, y + b.Body.Top, b.Body.Width, b.Body.Height);
        using var path = BodyPath(b, body);
        using var paint = new SKPaint { IsAntialias = true, Color = b.Fill };
        if (b.FillGradient is { Count: >= 2 } g)
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(body.Left, body.Top), new SKPoint(body.Right, body.Bottom), g.ToArray(), null, SKShaderTileMode.Clamp);
        if (b.Shadow.Alpha > 0)
            paint.ImageFilter = SKImageFilter.CreateDropShadow(0, b.ShadowOffsetY, b.ShadowBlur, b.ShadowBlur, b.Shadow);
        canvas.DrawPath(path, paint);
        paint.Shader?.Dispose();
        paint.ImageFilter?.Dispose();
    }

    /// <summary>The body outline: a rounded rectangle, plus the template's tail.</summary>
    internal static SKPath BodyPath(Bubble b, SKRect body)
    {
        bool me = b.Sender == Sender.Me;
        float r = b.CornerRadius;
        using var builder = new SKPathBuilder();
        using var rrect = new SKRoundRect();
        if (b.Style == BubbleStyle.Rounded)
        {
            float t = MathF.Min(b.TailCornerRadius, r);
            rrect.SetRectRadii(body, new[]
            {
                new SKPoint(r, r), new SKPoint(r, r),
                me ? new SKPoint(t, t) : new SKPoint(r, r),
                me ? new SKPoint(r, r) : new SKPoint(t, t),
            });
        }
        else if (b.Tail == TailKind.TopNotch)
        {
            // WhatsApp: the corner under the notch is square; the notch is a small triangle outside it.
            float small = 0;
            rrect.SetRectRadii(body, new[]
            {
                me ? new SKPoint(r, r) : new SKPoint(small, small),
                me ? new SKPoint(small, small) : new SKPoint(r, r),
                new SKPoint(r, r), new SKPoint(r, r),
            });
        }
        else
        {
            rrect.SetRect(body, r, r);
        }
        builder.AddRoundRect(rrect);
        using var bodyOnly = builder.Detach();
        if (b.Tail == TailKind.None) return new SKPath(bodyOnly);

        // The tail is its own contour, united with the body: mirrored tails wind the other way,
        // and overlapping opposite windings would punch a hole instead of filling.
        float tw = ChatLayout.TailWidth * (b.CornerRadius > 0 ? Math.Max(1, b.TailCornerRadius / 38f) : 1);
        if (b.Tail == TailKind.TopNotch)
        {
            float n = r * 0.9f;
            if (me)
            {
                builder.MoveTo(body.Right - 1, body.Top);
                builder.LineTo(body.Right + n, body.Top);
                builder.LineTo(body.Right - 1, body.Top + n);
            }
            else
            {
                builder.MoveTo(body.Left + 1, body.Top);
                builder.LineTo(body.Left - n, body.Top);
                builder.LineTo(body.Left + 1, body.Top + n);
            }
            builder.Close();
        }
        else if (b.Tail == TailKind.BottomCurve)
        {
            // iMessage: a tail that sweeps out of the bottom corner and curls back under the body.
            float h = Math.Min(r, body.Height / 2);
            if (me)
            {
                builder.MoveTo(body.Right - h, body.Bottom - h);
                builder.LineTo(body.Right, body.Bottom - h);
                builder.QuadTo(body.Right, body.Bottom - h * 0.25f, body.Right + tw, body.Bottom);
                builder.QuadTo(body.Right - h * 0.35f, body.Bottom + h * 0.05f, body.Right - h * 0.75f, body.Bottom - h * 0.15f);
            }
            else
            {
                builder.MoveTo(body.Left + h, body.Bottom - h);
                builder.LineTo(body.Left, body.Bottom - h);
                builder.QuadTo(body.Left, body.Bottom - h * 0.25f, body.Left - tw, body.Bottom);
                builder.QuadTo(body.Left + h * 0.35f, body.Bottom + h * 0.05f, body.Left + h * 0.75f, body.Bottom - h * 0.15f);
            }
            builder.Close();
        }
        using var tail = builder.Detach();
        return bodyOnly.Op(tail, SKPathOp.Union) ?? new SKPath(bodyOnly);
    }

    /// <summary>A round avatar: the image cover-cropped into a circle, or initials on a coloured disc.</summary>
    public static void PaintAvatar(SKCanvas canvas, string? path, string initials, SKColor color, SKRect rect, Func<string, string, SKSize, SKImage> load, string field)
    {
        canvas.Save();
        using (var clip = new SKPath())
        {
            clip.AddOval(rect);
            canvas.ClipPath(clip, antialias: true);
        }
        if (path is not null)
        {
            DrawCover(canvas, load(path, field, rect.Size), rect, 0);
        }
        else
        {
            canvas.DrawColor(color);
            var layout = AvatarInitials.Layout(initials, rect);
            using var font = AvatarInitials.CreateFont(layout.Face, layout.FontSize);
            using var paint = new SKPaint { IsAntialias = true, Color = SKColors.White };
            canvas.DrawText(initials, layout.X, layout.Baseline, font, paint);
        }
        canvas.Restore();
    }

    /// <summary>Draws an image cover-fitted (centre crop) into <paramref name="dst"/>, optionally with rounded corners.</summary>
    public static void DrawCover(SKCanvas canvas, SKImage image, SKRect dst, float cornerRadius)
    {
        float k = Math.Max(dst.Width / image.Width, dst.Height / image.Height);
        float sw = dst.Width / k, sh = dst.Height / k;
        var src = SKRect.Create((image.Width - sw) / 2, (image.Height - sh) / 2, sw, sh);
        canvas.Save();
        if (cornerRadius > 0)
        {
            using var rr = new SKRoundRect(dst, cornerRadius);
            canvas.ClipRoundRect(rr, SKClipOperation.Intersect, antialias: true);
        }
        using var paint = new SKPaint { IsAntialias = true };
        canvas.DrawImage(image, src, dst, new SKSamplingOptions(SKCubicResampler.Mitchell), paint);
        canvas.Restore();
    }
}

/// <summary>The three-dot typing bubble; the dots pulse in turn.</summary>
public static class TypingPainter
{
    public static void Paint(SKCanvas canvas, TypingIndicator ind, float x, float y, double t)
    {
        var rect = SKRect.Create(x, y, ind.Bounds.Width, ind.Bounds.Height);
        using (var paint = new SKPaint { IsAntialias = true, Color = ind.Fill })
        using (var rr = new SKRoundRect(rect, ind.CornerRadius))
        {
            if (ind.Fill.Alpha > 0) canvas.DrawRoundRect(rr, paint);
        }
        float r = rect.Height * 0.09f;
        float gap = r * 3.2f;
        double phase = ((t - ind.StartMs) % TypingIndicator.DotPeriodMs) / TypingIndicator.DotPeriodMs;
        using var dot = new SKPaint { IsAntialias = true };
        for (int i = 0; i < 3; i++)
        {
            // Each dot brightens and lifts for a third of the period, one after another.
            double local = (phase - i / 3.0 + 1) % 1;
            double pulse = local < 1 / 3.0 ? Math.Sin(local * 3 * Math.PI) : 0;
            dot.Color = ind.Dots.WithAlpha((byte)(110 + 145 * pulse));
            canvas.DrawCircle(rect.MidX + (i - 1) * gap, rect.MidY - (float)(pulse * r * 0.8), r, dot);
        }
    }
}
