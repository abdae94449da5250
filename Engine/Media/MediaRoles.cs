using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>What a file is opened as; each role has its own allow-list of libavformat demuxers.</summary>
public enum MediaRole
{
    /// <summary>A background video or an input clip: video containers and raw video streams.</summary>
    Video,
    /// <summary>Music, a voice, a sound effect or a clip's sound: audio formats, and the video containers a soundtrack may come in.</summary>
    Audio,
    /// <summary>getVideoMetadata: any of the above, or a still image.</summary>
    Probe,
}

/// <summary>
/// The one place that says which files the engine opens as media (issue #13, "only media is
/// opened as media"). libavformat guesses a file's format from its bytes and name, and some of
/// its demuxers read more than media: <c>tty</c> draws any text file (.txt, .nfo, .asc, ...) as
/// video, <c>concat</c>/<c>ffconcat</c> and HLS playlists pull in other files or URLs, <c>image2</c>
/// expands patterns into sequences. So every open passes <c>protocol_whitelist=file</c> and a
/// <c>format_whitelist</c> for its <see cref="MediaRole"/> (libavformat refuses any other demuxer
/// after probing), and <c>pattern_type=none</c> for the image reader. Before anything is opened,
/// <see cref="CheckRegularFile"/> refuses what is not a regular file (a FIFO or a device would block
/// the reading thread for ever) and follows symlinks for the size.
/// </summary>
public static class MediaRoles
{
    /// <summary>Demuxers a video may be read with (matched against each of a demuxer's names: "mov" covers "mov,mp4,m4a,3gp,3g2,mj2").</summary>
    public static readonly IReadOnlyList<string> Video =
    [
        "mov", "mp4", "matroska", "webm", "avi", "mpegts", "flv", "ogg", "ivf", "asf", "mpeg", "m4v", "h264", "hevc", "gif", "apng", "yuv4mpegpipe",
    ];

    /// <summary>Demuxers an audio source may be read with: audio formats, plus the video containers (a clip's or a music video's soundtrack).</summary>
    public static readonly IReadOnlyList<string> Audio =
    [
        "wav", "w64", "aiff", "caf", "mp3", "aac", "flac", "ogg", "mov", "m4a", "matroska", "webm",
        "avi", "mpegts", "flv", "asf", "mpeg",
    ];

    /// <summary>Still images libavformat opens by content (the <c>*_pipe</c> readers) or by name (<c>image2</c>, patterns off).</summary>
    public static readonly IReadOnlyList<string> Images =
    [
        "image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif_pipe", "jpegls_pipe", "qoi_pipe", "pam_pipe", "pgm_pipe", "ppm_pipe", "svg_pipe",
    ];

    /// <summary>
    /// Readers of files that are not media but are harmless to open for metadata only, so that
    /// getVideoMetadata can say precisely why it refuses them: subtitles and tag files (no
    /// streams to show), binary text art (refused by its codec). Never opened for drawing or mixing.
    /// </summary>
    public static readonly IReadOnlyList<string> ExplainOnly = ["srt", "ass", "webvtt", "ffmetadata", "bin", "xbin", "adf", "idf"];

    /// <summary>The demuxers allowed for <paramref name="role"/>.</summary>
    /// <remarks>
    /// Every role may open any real media (video, audio, still image): a still image is a
    /// one-frame background video, and a file of the wrong kind is then refused by the caller
    /// with a precise reason ("no video stream", "no decodable audio stream"). What the lists
    /// keep out is what is not media at all: text, playlists, patterns, subtitles, other protocols.
    /// </remarks>
    public static IReadOnlyList<string> For(MediaRole role) => role switch
    {
        MediaRole.Video => s_video,
        MediaRole.Audio => s_audio,
        _ => s_probe,
    };

    private static readonly string[] s_video = [.. Video.Concat(Images).Concat(Audio).Distinct()];
    private static readonly string[] s_audio = [.. Audio.Concat(Video).Concat(Images).Distinct()];
    private static readonly string[] s_probe = [.. Video.Concat(Audio).Concat(Images).Concat(ExplainOnly).Distinct()];

    /// <summary>How the allowed kinds read in a message: "a video", "an audio file", "media".</summary>
    public static string Describe(MediaRole role) => role switch
    {
        MediaRole.Video => "a video in MP4/MOV, Matroska/WebM, AVI, MPEG-TS, FLV, Ogg, IVF or another video container",
        MediaRole.Audio => "an audio file in WAV, MP3, AAC, FLAC, Ogg, M4A or a video container",
        _ => "an audio, video or image file",
    };

    /// <summary>
    /// Opens a file checked by <see cref="CheckRegularFile"/> with the demuxers of <paramref name="role"/>
    /// and the <c>file</c> protocol only.
    /// </summary>
    internal static AvInputContextHandle Open(string fullPath, MediaRole role) =>
        AvInputContextHandle.Open(fullPath, string.Join(",", For(role)), Describe(role));

    /// <summary>
    /// Resolves <paramref name="path"/> (after <c>..</c> and symlinks) and refuses, before anything
    /// is opened, what cannot be read as a file: a NUL in the name, nothing there or a symlink
    /// loop (ERR_INPUT_NOT_FOUND), a directory, FIFO, device or socket (ERR_UNSUPPORTED_MEDIA).
    /// Returns the absolute path (symlinks kept: the name the user gave) and the size of the file it leads to.
    /// </summary>
    /// <param name="field">The config field or argument naming the file, for the message (null: the caller adds it).</param>
    public static (string FullPath, long Size) CheckRegularFile(string path, string? field)
    {
        if (path.Contains('\0'))
            throw new EngineException(ErrorCodes.InvalidArg, $"{field ?? "path"}: the path contains a NUL character: {path.Replace("\0", "\\0")}");
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new EngineException(ErrorCodes.InputNotFound, $"{field ?? "path"}: not a valid path: {path} ({e.Message})", e);
        }
        if (LibC.TryStat(full, noFollow: false, out var st, out int errno))
        {
            switch (st.Type)
            {
                case LibC.Regular: return (full, st.Size);
                case LibC.Directory: throw new EngineException(ErrorCodes.UnsupportedMedia, $"{At(field, full)}: is a directory, not a media file");
                default: throw new EngineException(ErrorCodes.UnsupportedMedia, $"{At(field, full)}: is {TypeName(st.Type)}, not a regular file; only files are read as media");
            }
        }
        if (errno == LibC.ELOOP)
            throw new EngineException(ErrorCodes.InputNotFound, $"{At(field, full)}: too many levels of symbolic links (a symlink loop)");
        if (errno == LibC.ENAMETOOLONG)
            throw new EngineException(ErrorCodes.InputNotFound, $"{At(field, full)}: the path is too long");
        if (errno >= 0 && errno != LibC.EACCES)
            throw new EngineException(ErrorCodes.InputNotFound, NotFound(field, full));
        return CheckWithDotNet(full, field);
    }

    /// <summary>Where statx is not available: .NET's view (directories, missing files, links resolved for the size).</summary>
    private static (string, long) CheckWithDotNet(string full, string? field)
    {
        if (Directory.Exists(full)) throw new EngineException(ErrorCodes.UnsupportedMedia, $"{At(field, full)}: is a directory, not a media file");
        FileSystemInfo info = new FileInfo(full);
        try
        {
            if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        }
        catch (IOException e)
        {
            throw new EngineException(ErrorCodes.InputNotFound, $"{At(field, full)}: the symbolic link cannot be resolved ({e.Message})", e);
        }
        if (info is not FileInfo file || !file.Exists) throw new EngineException(ErrorCodes.InputNotFound, NotFound(field, full));
        return (full, file.Length);
    }

    private static string NotFound(string? field, string full) => field is null ? $"{full}: file not found" : $"{field}: file not found: {full}";

    private static string At(string? field, string full) => field is null ? full : $"{field}: {full}";

    private static string TypeName(uint type) => type switch
    {
        LibC.Fifo => "a named pipe (FIFO)",
        LibC.CharDevice => "a character device",
        LibC.BlockDevice => "a block device",
        LibC.Socket => "a socket",
        _ => "not a regular file",
    };
}
