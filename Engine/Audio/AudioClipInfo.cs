using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Audio;

/// <summary>Facts about an audio clip that the timeline needs before anything is rendered.</summary>
public static class AudioClipInfo
{
    /// <summary>
    /// The clip's real length in seconds: every frame decoded and its samples counted (at the
    /// source rate; resampling to 48 kHz would only add cost, not accuracy), because
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
        // Directories, pipes, devices and symlink loops are refused before anything reads them.
        if (MediaRoles.CheckRegularFile(path, field).Size == 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: expected an audio file, got an empty file: {path}");

        double seconds;
        try
        {
            using var decoder = new AudioDecoder(path, AudioMix.SampleRate);
            seconds = decoder.DecodeRemainingSeconds();
        }
        catch (EngineException e)
        {
            throw new EngineException(e.Code, $"{field}: {e.Message}", e);
        }
        if (!(seconds > 0))
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{field}: expected audio, found no decodable samples in {path}");
        return seconds;
    }
}
