using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Tests.Audio;

/// <summary>
/// Audio fixtures and measurements for the mixer tests: tiny files made with the ffmpeg CLI,
/// a float WAV writer, whole-mix rendering, level maths, and ffmpeg's own ebur128 meter as
/// the independent reference.
/// </summary>
internal static partial class AudioFixtures
{
    public const int Rate = AudioMix.SampleRate;

    /// <summary>
    /// An <c>aevalsrc</c> expression rendered to <paramref name="path"/> with extra encoder
    /// arguments. A stereo file gets the expression in both channels at full level (ffmpeg's
    /// own mono-to-stereo upmix would lower it 3 dB).
    /// </summary>
    public static string Eval(string path, string expr, double seconds, int rate = Rate, int channels = 1, params string[] codec)
    {
        if (channels == 2 && !expr.Contains('|')) expr = expr + "|" + expr;
        var args = new List<string>
        {
            "-f", "lavfi", "-i", Invariant($"aevalsrc={expr}:s={rate}:d={seconds}"),
            "-ac", channels.ToString(CultureInfo.InvariantCulture),
        };
        args.AddRange(codec);
        args.Add(path);
        TestSupport.Ffmpeg(args.ToArray());
        return path;
    }

    /// <summary>A sine of <paramref name="amplitude"/> (linear peak) as 32-bit float WAV, so the level is exact.</summary>
    public static string Sine(string path, double hz, double amplitude, double seconds, int rate = Rate, int channels = 1) =>
        Eval(path, Invariant($"{amplitude}*sin(2*PI*{hz}*t)"), seconds, rate, channels, "-c:a", "pcm_f32le");

    /// <summary>A mono 32-bit float WAV of silence, for voices that should only drive the duck.</summary>
    public static string Silence(string path, double seconds) => Eval(path, "0", seconds, codec: ["-c:a", "pcm_f32le"]);

    /// <summary>Writes 48 kHz stereo 32-bit float WAV (what ffmpeg's ebur128 then reads exactly).</summary>
    public static void WriteWav(string path, ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        using var w = new BinaryWriter(File.Create(path));
        int dataBytes = left.Length * 2 * 4;
        w.Write("RIFF"u8);
        w.Write(36 + dataBytes);
        w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(16);
        w.Write((short)3); // IEEE float
        w.Write((short)2);
        w.Write(Rate);
        w.Write(Rate * 8);
        w.Write((short)8);
        w.Write((short)32);
        w.Write("data"u8);
        w.Write(dataBytes);
        for (int i = 0; i < left.Length; i++)
        {
            w.Write(left[i]);
            w.Write(right[i]);
        }
    }

    /// <summary>A whole file through the engine's decoder at 48 kHz stereo.</summary>
    public static (float[] Left, float[] Right) Decode(string path)
    {
        using var d = new AudioDecoder(path, Rate);
        var l = new List<float>();
        var r = new List<float>();
        var bl = new float[8192];
        var br = new float[8192];
        int n;
        while ((n = d.Read(bl, br)) > 0)
        {
            l.AddRange(bl.AsSpan(0, n));
            r.AddRange(br.AsSpan(0, n));
        }
        return (l.ToArray(), r.ToArray());
    }

    /// <summary>The whole mix, filled in blocks of <paramref name="block"/> samples.</summary>
    public static (float[] Left, float[] Right) MixDown(AudioMix mix, AudioAnalysis? normalization = null, int block = 1024)
    {
        using var mixer = new AudioMixer(mix, normalization);
        var l = new float[mix.TotalSamples];
        var r = new float[mix.TotalSamples];
        for (int pos = 0; pos < l.Length; pos += block)
        {
            int n = Math.Min(block, l.Length - pos);
            mixer.Fill(l.AsSpan(pos, n), r.AsSpan(pos, n));
        }
        return (l, r);
    }

    public static double Rms(ReadOnlySpan<float> s)
    {
        double sum = 0;
        foreach (float v in s) sum += (double)v * v;
        return Math.Sqrt(sum / Math.Max(1, s.Length));
    }

    public static double Db(double linear) => 20 * Math.Log10(linear);

    public static int Ms(double ms) => (int)AudioMix.ToSamples(ms);

    /// <summary>Largest absolute difference between neighbouring samples: a click shows as a jump.</summary>
    public static double MaxJump(ReadOnlySpan<float> s)
    {
        double max = 0;
        for (int i = 1; i < s.Length; i++) max = Math.Max(max, Math.Abs(s[i] - s[i - 1]));
        return max;
    }

    /// <summary>
    /// RMS of the component of <paramref name="s"/> at <paramref name="hz"/> (a single-bin DFT
    /// over whole periods): isolates one tone of a mix, e.g. the music under a voice.
    /// </summary>
    public static double ToneRms(ReadOnlySpan<float> s, double hz)
    {
        int periods = (int)(s.Length * hz / Rate);
        int n = (int)Math.Round(periods * Rate / hz);
        double re = 0, im = 0;
        for (int i = 0; i < n; i++)
        {
            double w = 2 * Math.PI * hz * i / Rate;
            re += s[i] * Math.Cos(w);
            im += s[i] * Math.Sin(w);
        }
        double amplitude = 2 * Math.Sqrt(re * re + im * im) / n;
        return amplitude / Math.Sqrt(2);
    }

    /// <summary>
    /// ffmpeg's ebur128 filter on a file: integrated loudness (LUFS) and true peak (dBTP).
    /// Read from the filter's per-frame metadata of the last frame, which carries three
    /// decimals (the printed summary rounds to one).
    /// </summary>
    public static (double IntegratedLufs, double TruePeakDbtp) Ebur128(string path)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-hide_banner", "-nostats", "-i", path, "-af", "ebur128=peak=true:metadata=1,ametadata=mode=print", "-f", "null", "-" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg ebur128 failed: {err}");
        var i = IntegratedRegex().Matches(err);
        var peak = PeakRegex().Matches(err);
        if (i.Count == 0 || peak.Count == 0) throw new InvalidOperationException("no ebur128 metadata in: " + err[^Math.Min(err.Length, 2000)..]);
        double tp = double.Parse(peak[^1].Groups[1].Value, CultureInfo.InvariantCulture);
        return (ParseLevel(i[^1].Groups[1].Value), tp > 0 ? Db(tp) : double.NegativeInfinity);
    }

    private static double ParseLevel(string s) => s.EndsWith("inf") ? double.NegativeInfinity : double.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"lavfi\.r128\.I=(-?[\d.]+|-?inf)")]
    private static partial Regex IntegratedRegex();

    [GeneratedRegex(@"lavfi\.r128\.true_peak=([\d.]+)")]
    private static partial Regex PeakRegex();

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
