using System.Text;

namespace ReelSpeed.Engine.Assets;

/// <summary>What a field expects its file to be.</summary>
public enum AssetKind { Image, Audio, Video, Font }

/// <summary>
/// A first look at a downloaded body: the signature of a known image, audio, video or font
/// format. A known format of another kind, or text (an HTML error page, a JSON body), is
/// refused; an unknown binary body for audio or video is left to the decoder.
/// </summary>
public static class MediaSniffer
{
    public const int HeadLength = 64;

    /// <summary>Null when <paramref name="head"/> (the first bytes of the body) may be <paramref name="kind"/>, else what it looks like.</summary>
    public static string? Mismatch(ReadOnlySpan<byte> head, AssetKind kind)
    {
        if (head.Length == 0) return "an empty body";
        var found = Identify(head.ToArray());
        if (found is { } f)
        {
            bool ok = kind switch
            {
                AssetKind.Image => f.Kind == "image",
                AssetKind.Audio => f.Kind is "audio" or "container",
                AssetKind.Video => f.Kind is "container" || f.Name == "GIF",
                AssetKind.Font => f.Kind == "font",
                _ => false,
            };
            return ok ? null : $"{Article(f.Name)} {f.Name} {(f.Kind == "container" ? "file" : f.Kind)}";
        }
        if (LooksLikeText(head)) return "text" + (StartsWithMarkup(head) ? " (HTML/XML)" : "");
        return kind is AssetKind.Image or AssetKind.Font ? "data of an unknown format" : null;
    }

    private static string Article(string name) => "AEIOUaeiou".Contains(name[0]) || name.StartsWith("MP") || name.StartsWith("MK") ? "an" : "a";

    private static (string Name, string Kind)? Identify(byte[] h)
    {
        bool At(int offset, string ascii) => h.Length >= offset + ascii.Length && h.AsSpan(offset, ascii.Length).SequenceEqual(Encoding.ASCII.GetBytes(ascii));
        bool Bytes(params byte[] b) => h.Length >= b.Length && h.AsSpan(0, b.Length).SequenceEqual(b);

        if (Bytes(0x89, 0x50, 0x4E, 0x47)) return ("PNG", "image");
        if (Bytes(0xFF, 0xD8, 0xFF)) return ("JPEG", "image");
        if (At(0, "GIF8")) return ("GIF", "image");
        if (At(0, "RIFF") && At(8, "WEBP")) return ("WebP", "image");
        if (At(0, "BM") && h.Length >= 14) return ("BMP", "image");
        if (At(4, "ftypavif") || At(4, "ftypheic") || At(4, "ftypmif1")) return ("AVIF/HEIF", "image");

        if (Bytes(0x00, 0x01, 0x00, 0x00) || At(0, "OTTO") || At(0, "true") || At(0, "ttcf")) return ("TrueType/OpenType", "font");
        if (At(0, "wOFF") || At(0, "wOF2")) return ("WOFF", "font");

        if (At(0, "RIFF") && (At(8, "WAVE") || At(8, "AIFF"))) return ("WAV", "audio");
        if (At(0, "FORM") && (At(8, "AIFF") || At(8, "AIFC"))) return ("AIFF", "audio");
        if (At(0, "ID3")) return ("MP3", "audio");
        if (At(0, "fLaC")) return ("FLAC", "audio");
        if (At(0, "#!AMR")) return ("AMR", "audio");
        if (At(0, "caff")) return ("CAF", "audio");
        if (h.Length >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0) return ("MPEG audio", "audio"); // MP3 frame sync or AAC ADTS

        if (At(4, "ftyp") || At(4, "moov") || At(4, "mdat") || At(4, "free") || At(4, "wide") || At(4, "skip")) return ("MP4/MOV", "container");
        if (Bytes(0x1A, 0x45, 0xDF, 0xA3)) return ("MKV/WebM", "container");
        if (At(0, "OggS")) return ("Ogg", "container");
        if (At(0, "RIFF") && At(8, "AVI ")) return ("AVI", "container");
        if (At(0, "FLV")) return ("FLV", "container");
        if (Bytes(0x00, 0x00, 0x01, 0xBA) || Bytes(0x00, 0x00, 0x01, 0xB3)) return ("MPEG-PS", "container");
        if (h.Length >= 1 && h[0] == 0x47 && (h.Length < 189 || h[188] == 0x47) && !LooksLikeText(h)) return ("MPEG-TS", "container");
        if (Bytes(0x30, 0x26, 0xB2, 0x75)) return ("ASF/WMV", "container");
        return null;
    }

    /// <summary>No NUL or other control bytes besides whitespace: text in any ASCII-compatible encoding.</summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> h)
    {
        foreach (var b in h)
            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0D or 0x0C)) return false;
        return true;
    }

    private static bool StartsWithMarkup(ReadOnlySpan<byte> h)
    {
        foreach (var b in h)
        {
            if (b is 0x20 or 0x09 or 0x0A or 0x0D or 0xEF or 0xBB or 0xBF) continue;
            return b == (byte)'<';
        }
        return false;
    }
}
