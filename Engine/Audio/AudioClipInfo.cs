using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Audio;

/// <summary>Facts about an audio clip that the timeline needs before anything is rendered.</summary>
public static class AudioClipInfo
{
    /// <summary>
    /// The clip's real length in seconds: every sample decoded and counted at 48 kHz, because
    /// container durations are estimates for some formats (VBR MP3 without a header, streams
    /// with priming or padding) and a voice line must end when its audio does. Decoding also
    /// proves the file is usable now, not minutes into a render.
    /// Errors name <paramref name="field"/> (e.g. <c>messages[2].audioUrl</c>):
    /// <see cref="ErrorCodes.InputNotFound"/> for a missing file,
    /// <see cref="ErrorCodes.UnsupportedMedia"/> for one that is not audio or holds no samples,
    /// <see cref="ErrorCodes.Decode"/> for one that breaks while decoding.
    /// </summary>
    public static double DurationSeconds(string path, string field)
    {
        LibAvLoader.EnsureLoaded();
        if (string.IsNullOrWhiteSpace(path))
            throw new EngineException(ErrorCodes.InputNotFound, $"{field}: expected a path to an audio file, got an empty string");
        if (Directory.Exists(path))
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: expected an audio file, got a directory: {path}");
        if (!File.Exists(path))
            throw new EngineException(ErrorCodes.InputNotFound, $"{field}: audio file not found: {path}");
        if (new FileInfo(path).Length == 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: expected an audio file, got an empty file: {path}");

        long samples = 0;
        try
        {
            using var decoder = new AudioDecoder(path, AudioMix.SampleRate);
            var l = new float[16384];
            var r = new float[16384];
            int n;
            while ((n = decoder.Read(l, r)) > 0) samples += n;
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{field}: {e.Message}", e);
        }
        if (samples == 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: expected audio, found no decodable samples in {path}");
        return samples / (double)AudioMix.SampleRate;
    }
}
