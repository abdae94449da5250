using System.Globalization;
using SkiaSharp;

namespace ReelSpeed.Engine.Config;

/// <summary>Parses the colour notations stored in platform configs: hex and CSS rgb()/rgba().</summary>
public static class ColorParser
{
    public static bool TryParse(string text, out SKColor color)
    {
        color = default;
        var s = text.Trim();
        if (s.StartsWith('#'))
        {
            var hex = s[1..];
            if (!hex.All(Uri.IsHexDigit)) return false;
            switch (hex.Length)
            {
                case 3:
                case 4:
                    {
                        byte Nib(int i) => (byte)(Convert.ToByte(hex[i].ToString(), 16) * 17);
                        color = new SKColor(Nib(0), Nib(1), Nib(2), hex.Length == 4 ? Nib(3) : (byte)255);
                        return true;
                    }
                case 6:
                case 8:
                    {
                        byte Byte(int i) => byte.Parse(hex.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        color = new SKColor(Byte(0), Byte(2), Byte(4), hex.Length == 8 ? Byte(6) : (byte)255);
                        return true;
                    }
                default:
                    return false;
            }
        }

        var lower = s.ToLowerInvariant();
        bool rgba = lower.StartsWith("rgba(");
        if ((rgba || lower.StartsWith("rgb(")) && lower.EndsWith(')'))
        {
            var inner = lower[(rgba ? 5 : 4)..^1].Split(',', StringSplitOptions.TrimEntries);
            if (inner.Length != (rgba ? 4 : 3)) return false;
            var c = new byte[3];
            for (int i = 0; i < 3; i++)
            {
                if (!int.TryParse(inner[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < 0 || v > 255) return false;
                c[i] = (byte)v;
            }
            byte a = 255;
            if (rgba)
            {
                if (!double.TryParse(inner[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var av) || av < 0 || av > 1) return false;
                a = (byte)Math.Round(av * 255);
            }
            color = new SKColor(c[0], c[1], c[2], a);
            return true;
        }
        return false;
    }

    public static string ToHex(SKColor c) =>
        c.Alpha == 255 ? $"#{c.Red:X2}{c.Green:X2}{c.Blue:X2}" : $"#{c.Red:X2}{c.Green:X2}{c.Blue:X2}{c.Alpha:X2}";
}
