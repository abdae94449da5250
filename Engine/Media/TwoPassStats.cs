using System.Globalization;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// The first-pass statistics of a two-pass encode, from the pass-1 encoder to the pass-2 one.
/// Each software encoder keeps them its own way in FFmpeg 5.1:
/// <list type="bullet">
/// <item>libx264: its <c>stats</c> option names a file x264 writes (with a <c>.mbtree</c> beside it)
/// when the encoder closes, and reads back in pass 2 (<c>flags +pass1/+pass2</c>);</item>
/// <item>libx265: the wrapper ignores <c>flags +pass1</c>; <c>x265-params pass=1:stats=FILE</c>
/// makes x265 write the file (and a <c>.cutree</c>), <c>pass=2</c> reads it;</item>
/// <item>libvpx-vp9: pass 1 (<c>flags +pass1</c>) leaves base64 statistics in
/// <c>AVCodecContext.stats_out</c> once flushed; pass 2 reads them from <c>stats_in</c>.
/// They are kept in memory here.</item>
/// </list>
/// The files live in a private folder (under the engine's temp directory, or the system's) that
/// <see cref="Dispose"/> deletes, whatever happened to the passes.
/// </summary>
public sealed class TwoPassStats : IDisposable
{
    private TwoPassStats(string folder) => Folder = folder;

    /// <summary>The private folder holding the statistics files.</summary>
    public string Folder { get; }

    /// <summary>The file libx264 / libx265 write in pass 1 and read in pass 2.</summary>
    internal string LogPath => Path.Combine(Folder, "pass1.log");

    /// <summary>libvpx's first-pass statistics (base64, as libavcodec hands them over).</summary>
    internal string? VpxStats { get; set; }

    /// <summary>The encoder whose finished first pass these are; null until pass 1 completed.</summary>
    public string? FirstPassEncoder { get; private set; }

    public bool FirstPassDone => FirstPassEncoder is not null;

    /// <summary>
    /// The mean quantiser of the frames libx264's first pass encoded (its statistics' <c>q:</c> per frame),
    /// at the pass's bit rate: how starved the picture is at that rate. Null for another encoder, or before pass 1 completed.
    /// </summary>
    public double? MeanQuantizer()
    {
        var frames = Frames();
        return frames.Count == 0 ? null : frames.Average(f => f.Quantizer);
    }

    /// <summary>One frame of libx264's first pass: its type (I, P, B, b), quantiser, bits (texture, motion, the rest) and of them the motion vectors'.</summary>
    public readonly record struct FrameStats(char Type, double Quantizer, long Bits, long MotionBits = 0)
    {
        public bool IsKeyframe => Type is 'I' or 'i';
    }

    /// <summary>The frames libx264's first pass encoded, in coding order; empty for another encoder or before pass 1 completed.</summary>
    public IReadOnlyList<FrameStats> Frames()
    {
        var list = new List<FrameStats>();
        if (FirstPassEncoder != "libx264") return list;
        foreach (var line in File.ReadLines(LogPath))
        {
            // "in:0 out:0 type:I dur:2 cpbdur:2 q:28.50 aq:25.12 tex:1234 mv:56 misc:78 imb:... ;" (the first line is "#options: ...")
            if (!line.StartsWith("in:", StringComparison.Ordinal)) continue;
            if (Field(line, " type:") is not { Length: > 0 } type || !double.TryParse(Field(line, " q:"), NumberStyles.Float, CultureInfo.InvariantCulture, out double q)) continue;
            long bits = 0, motion = 0;
            foreach (var part in new[] { " tex:", " mv:", " misc:" })
                if (long.TryParse(Field(line, part), NumberStyles.Integer, CultureInfo.InvariantCulture, out long b))
                {
                    bits += b;
                    if (part == " mv:") motion = b;
                }
            list.Add(new FrameStats(type[0], q, bits, motion));
        }
        return list;
    }

    private static ReadOnlySpan<char> Field(string line, string key)
    {
        int at = line.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return default;
        int start = at + key.Length, end = line.IndexOf(' ', start);
        return line.AsSpan(start, (end < 0 ? line.Length : end) - start);
    }

    /// <param name="tempDirectory">Where to create the folder (default: the system temp directory).
    /// x265 takes the file name inside a ':'-separated option list, so a folder whose path has ':'
    /// or '=' is not used; the system temp directory is used instead.</param>
    public static TwoPassStats Create(string? tempDirectory = null)
    {
        var parent = tempDirectory;
        if (string.IsNullOrEmpty(parent) || parent.IndexOfAny(new[] { ':', '=' }) >= 0) parent = Path.GetTempPath();
        var folder = Path.Combine(parent, "reelspeed-2pass-" + Guid.NewGuid().ToString("N")[..12]);
        if (folder.IndexOfAny(new[] { ':', '=' }) >= 0)
            throw new EngineException(ErrorCodes.Output, $"tempDirectory: the two-pass statistics folder {folder} must not contain ':' or '='");
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException(ErrorCodes.Output, $"tempDirectory: cannot create the two-pass statistics folder {folder} ({e.Message})", e);
        }
        return new TwoPassStats(folder);
    }

    /// <summary>
    /// Set when these statistics come from a constant-quality first pass that replaced one at the bit rate
    /// (<see cref="Replace"/>): why, for the result's reasons. Null for a first pass at the bit rate.
    /// </summary>
    public ConstantQualityFirstPass? ConstantQuality { get; private set; }

    /// <summary>
    /// Takes <paramref name="other"/>'s completed libx264 first pass in place of this one, completed or cut short (the files move here;
    /// <paramref name="other"/> is left empty), recording <paramref name="why"/>.
    /// </summary>
    internal void Replace(TwoPassStats other, ConstantQualityFirstPass why)
    {
        if (other.FirstPassEncoder != "libx264" || FirstPassEncoder is not (null or "libx264") || VpxStats is not null)
            throw new InvalidOperationException("only a completed libx264 first pass replaces another libx264 one");
        File.Move(other.LogPath, LogPath, overwrite: true);
        string tree = other.LogPath + ".mbtree";
        if (File.Exists(tree)) File.Move(tree, LogPath + ".mbtree", overwrite: true);
        else File.Delete(LogPath + ".mbtree");
        other.FirstPassEncoder = null;
        FirstPassEncoder = "libx264";
        ConstantQuality = why;
    }

    /// <summary>Called by the pass-1 encoder once it has been flushed and closed.</summary>
    internal void CompleteFirstPass(string encoderName)
    {
        bool present = encoderName == "libvpx-vp9" ? !string.IsNullOrEmpty(VpxStats) : File.Exists(LogPath) && new FileInfo(LogPath).Length > 0;
        if (!present)
            throw new EngineException(ErrorCodes.Encode, $"{encoderName} finished pass 1 without writing its statistics");
        FirstPassEncoder = encoderName;
    }

    public void Dispose()
    {
        VpxStats = null;
        try
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind: a folder named reelspeed-2pass-* in the temp directory.
        }
    }
}

/// <summary>
/// A first pass at the bit rate that averaged quantiser <see cref="RateQuantizer"/> (stuck near x264's highest), replaced by
/// one at constant quality <see cref="Crf"/> that needed <see cref="Kbps"/> kbit/s, close enough to the rate to plan from.
/// <see cref="Watched"/>: the frames after its opening keyframe over which that mean was taken where the pass was cut there
/// (its first packets already looked stuck); null where it ran whole.
/// </summary>
public sealed record ConstantQualityFirstPass(double RateQuantizer, int Crf, int Kbps, int? Watched = null)
{
    /// <summary>"averaged quantiser 62.3" or "averaged quantiser 68.1 over its first 60 frames after the keyframe, where it was cut", for reasons.</summary>
    public string Averaged => Watched is { } n
        ? $"averaged quantiser {RateQuantizer:0.#} over its first {n} frames after the keyframe, where it was cut"
        : $"averaged quantiser {RateQuantizer:0.#}";
}
