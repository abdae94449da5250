using SkiaSharp;

namespace ReelSpeed.Engine.Effects;

/// <summary>
/// The processing effects as Skia filters, built once per job: colour correction as a chain of
/// 4x5 colour matrices (hue rotation, saturation, contrast, brightness: the CSS filter
/// definitions on gamma-encoded RGB, clamped after each as CSS does), blur as a Gaussian image filter (sigma =
/// radius / 2, edges clamped so the frame border does not darken), sharpen as a 3x3 unsharp
/// convolution. All run inside Skia's pipeline (and on a GPU where Skia has one), never in a
/// per-pixel C# loop.
/// </summary>
public static class ClipEffects
{
    // Rec. 709 luma weights, as the CSS saturate()/hue-rotate() matrices use them.
    private const float Lr = 0.2126f, Lg = 0.7152f, Lb = 0.0722f;

    /// <summary>
    /// The colour matrices in the order they apply — hue, saturation, contrast, brightness, each
    /// only when not neutral — as row-major 4x5 matrices whose last column is an offset in 0..1
    /// units (as Skia's colour-matrix filter takes it). Like chained CSS filters, the result is
    /// clamped to 0..1 after each one, so they are applied one by one, not multiplied together.
    /// </summary>
    public static IReadOnlyList<float[]> ColorMatrices(ColorCorrection c)
    {
        var list = new List<float[]>(4);
        if (c.HueShiftDegrees % 360 != 0) list.Add(Hue(c.HueShiftDegrees));
        if (c.Saturation != 1) list.Add(Saturation((float)c.Saturation));
        if (c.Contrast != 1) list.Add(Contrast((float)c.Contrast));
        if (c.Brightness != 1) list.Add(Scale((float)c.Brightness));
        return list;
    }

    /// <summary>
    /// The paint frames of the clips are drawn with: its colour filter and image filter carry
    /// every effect; null when there is none (frames are then drawn as they are).
    /// </summary>
    public static SKPaint? CreatePaint(ColorCorrection color, double blurRadius, double sharpen)
    {
        var matrices = ColorMatrices(color);
        SKImageFilter? filter = null;
        if (sharpen > 0)
        {
            // Unsharp mask on the 4-neighbourhood: centre 1 + 4a, each neighbour −a (sums to 1).
            float a = (float)sharpen;
            var kernel = new[] { 0, -a, 0, -a, 1 + 4 * a, -a, 0, -a, 0 };
            filter = SKImageFilter.CreateMatrixConvolution(new SKSizeI(3, 3), kernel, 1, 0, new SKPointI(1, 1), SKShaderTileMode.Clamp, false);
        }
        if (blurRadius > 0)
        {
            float sigma = (float)(blurRadius / 2);
            var blur = SKImageFilter.CreateBlur(sigma, sigma, SKShaderTileMode.Clamp, filter);
            filter?.Dispose();
            filter = blur;
        }
        if (matrices.Count == 0 && filter is null) return null;
        // Each stage clamps: compose them, the first applied innermost.
        SKColorFilter? chain = null;
        foreach (var m in matrices)
        {
            var stage = SKColorFilter.CreateColorMatrix(m);
            if (chain is null)
            {
                chain = stage;
                continue;
            }
            var composed = SKColorFilter.CreateCompose(stage, chain);
            stage.Dispose();
            chain.Dispose();
            chain = composed;
        }
        return new SKPaint { ColorFilter = chain, ImageFilter = filter };
    }

    /// <summary>Releases a paint made by <see cref="CreatePaint"/> with its filters.</summary>
    public static void DisposePaint(SKPaint? paint)
    {
        if (paint is null) return;
        paint.ColorFilter?.Dispose();
        paint.ImageFilter?.Dispose();
        paint.Dispose();
    }

    private static float[] Scale(float k) => new float[]
    {
        k, 0, 0, 0, 0,
        0, k, 0, 0, 0,
        0, 0, k, 0, 0,
        0, 0, 0, 1, 0,
    };

    /// <summary>(x − ½)·k + ½ on each channel.</summary>
    private static float[] Contrast(float k)
    {
        float o = 0.5f * (1 - k);
        return new float[]
        {
            k, 0, 0, 0, o,
            0, k, 0, 0, o,
            0, 0, k, 0, o,
            0, 0, 0, 1, 0,
        };
    }

    /// <summary>The CSS saturate(s) matrix: 0 gives luma grey, 1 is the identity.</summary>
    private static float[] Saturation(float s) => new float[]
    {
        Lr + (1 - Lr) * s, Lg - Lg * s, Lb - Lb * s, 0, 0,
        Lr - Lr * s, Lg + (1 - Lg) * s, Lb - Lb * s, 0, 0,
        Lr - Lr * s, Lg - Lg * s, Lb + (1 - Lb) * s, 0, 0,
        0, 0, 0, 1, 0,
    };

    /// <summary>The CSS hue-rotate(θ) matrix: a rotation around the grey axis that keeps luma.</summary>
    private static float[] Hue(double degrees)
    {
        double a = degrees * Math.PI / 180;
        float c = (float)Math.Cos(a), s = (float)Math.Sin(a);
        return new float[]
        {
            Lr + c * (1 - Lr) - s * Lr, Lg - c * Lg - s * Lg, Lb - c * Lb + s * (1 - Lb), 0, 0,
            Lr - c * Lr + s * 0.143f, Lg + c * (1 - Lg) + s * 0.140f, Lb - c * Lb - s * 0.283f, 0, 0,
            Lr - c * Lr - s * (1 - Lr), Lg - c * Lg + s * Lg, Lb + c * (1 - Lb) + s * Lb, 0, 0,
            0, 0, 0, 1, 0,
        };
    }

}
