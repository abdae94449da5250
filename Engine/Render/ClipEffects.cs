using ReelSpeed.Engine.Config;
using SkiaSharp;

namespace ReelSpeed.Engine.Render;

/// <summary>
/// The processing effects as Skia filters, built once per job: colour correction as one 4x5
/// colour matrix (the product of brightness, contrast, saturation and hue rotation, with the
/// CSS filter definitions on gamma-encoded RGB), blur as a Gaussian image filter (sigma =
/// radius / 2, edges clamped so the frame border does not darken), sharpen as a 3x3 unsharp
/// convolution. All run inside Skia's pipeline (and on a GPU where Skia has one), never in a
/// per-pixel C# loop.
/// </summary>
public static class ClipEffects
{
    // Rec. 709 luma weights, as the CSS saturate()/hue-rotate() matrices use them.
    private const float Lr = 0.2126f, Lg = 0.7152f, Lb = 0.0722f;

    /// <summary>
    /// The combined colour matrix (row-major 4x5; the last column is an offset in 0..1 units, as
    /// Skia's colour-matrix filter takes it), or null when every factor is neutral.
    /// Order: hue, saturation, contrast, brightness.
    /// </summary>
    public static float[]? ColorMatrix(ColorCorrection c)
    {
        if (c.IsNeutral) return null;
        var m = Identity();
        if (c.HueShiftDegrees % 360 != 0) m = Multiply(Hue(c.HueShiftDegrees), m);
        if (c.Saturation != 1) m = Multiply(Saturation((float)c.Saturation), m);
        if (c.Contrast != 1) m = Multiply(Contrast((float)c.Contrast), m);
        if (c.Brightness != 1) m = Multiply(Scale((float)c.Brightness), m);
        return m;
    }

    /// <summary>
    /// The paint frames of the clips are drawn with: its colour filter and image filter carry
    /// every effect; null when there is none (frames are then drawn as they are).
    /// </summary>
    public static SKPaint? CreatePaint(ColorCorrection color, double blurRadius, double sharpen)
    {
        var matrix = ColorMatrix(color);
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
        if (matrix is null && filter is null) return null;
        return new SKPaint
        {
            ColorFilter = matrix is null ? null : SKColorFilter.CreateColorMatrix(matrix),
            ImageFilter = filter,
        };
    }

    /// <summary>Releases a paint made by <see cref="CreatePaint"/> with its filters.</summary>
    public static void DisposePaint(SKPaint? paint)
    {
        if (paint is null) return;
        paint.ColorFilter?.Dispose();
        paint.ImageFilter?.Dispose();
        paint.Dispose();
    }

    private static float[] Identity() => new float[]
    {
        1, 0, 0, 0, 0,
        0, 1, 0, 0, 0,
        0, 0, 1, 0, 0,
        0, 0, 0, 1, 0,
    };

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

    /// <summary>a·b for 4x5 colour matrices (b applied first).</summary>
    private static float[] Multiply(float[] a, float[] b)
    {
        var r = new float[20];
        for (int row = 0; row < 4; row++)
        {
            for (int col = 0; col < 5; col++)
            {
                float v = 0;
                for (int k = 0; k < 4; k++) v += a[row * 5 + k] * b[k * 5 + col];
                if (col == 4) v += a[row * 5 + 4];
                r[row * 5 + col] = v;
            }
        }
        return r;
    }
}
