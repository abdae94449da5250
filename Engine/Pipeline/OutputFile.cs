using ReelSpeed.Engine.Assets;
using ReelSpeed.Engine.Media;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// An output written under a temporary name in the destination folder and renamed into
/// place only when complete, so a failed or aborted job never leaves a partial file.
/// </summary>
public sealed class OutputFile : IDisposable
{
    private bool _committed;

    private OutputFile(string finalPath, string tempPath, string muxerFormat)
    {
        FinalPath = finalPath;
        TempPath = tempPath;
        MuxerFormat = muxerFormat;
    }

    public string FinalPath { get; }
    public string TempPath { get; }

    /// <summary>The libavformat muxer for the extension (the temp name has none it could guess from).</summary>
    public string MuxerFormat { get; }

    /// <summary>
    /// Validates the output path (extension, folder) and reserves a temporary name beside it, or
    /// in <paramref name="tempDirectory"/> (e.g. a fast local disk) when given.
    /// </summary>
    public static OutputFile Create(string outputPath, string? tempDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(outputPath))
            throw new EngineException(ErrorCodes.Output, "outputPath: expected a file path ending in .mp4, .m4v, .mov, .mkv or .webm, got an empty string");
        string full;
        try
        {
            full = Path.GetFullPath(outputPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new EngineException(ErrorCodes.Output, $"outputPath: not a valid path: {outputPath}", e);
        }
        var format = Path.GetExtension(full).ToLowerInvariant() switch
        {
            ".mp4" or ".m4v" => "mp4",
            ".mov" => "mov",
            ".mkv" => "matroska",
            ".webm" => "webm",
            var ext => throw new EngineException(ErrorCodes.Output,
                $"outputPath: expected a file ending in .mp4, .m4v, .mov, .mkv or .webm, got \"{(ext.Length == 0 ? "no extension" : ext)}\" ({outputPath})"),
        };
        if (Directory.Exists(full))
            throw new EngineException(ErrorCodes.Output, $"outputPath: {full} is a directory");
        var dir = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException(ErrorCodes.Output, $"outputPath: cannot create the folder {dir} ({e.Message})", e);
        }
        var temp = Path.Combine(tempDirectory ?? dir, $".{Path.GetFileName(full)}.{Guid.NewGuid().ToString("N")[..8]}.part");
        try
        {
            // Fail early (before any rendering) if the folder is not writable.
            using (File.Create(temp, 1, FileOptions.None)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException(ErrorCodes.Output, $"{(tempDirectory is null ? "outputPath" : "tempDirectory")}: cannot write in {Path.GetDirectoryName(temp)} ({e.Message})", e);
        }
        return new OutputFile(full, temp, format);
    }

    /// <summary>
    /// An output path confined to the engine's allowedRoots (<paramref name="roots"/>): its real
    /// folder and its name, or ERR_ASSET_FORBIDDEN naming <paramref name="field"/>; unchanged
    /// when there are no roots. An invalid path is left for <see cref="Create"/> to report.
    /// </summary>
    public static string Confine(string outputPath, LocalRoots? roots, string field = "outputPath")
    {
        if (roots is null || string.IsNullOrWhiteSpace(outputPath) || outputPath.Contains('\0')) return outputPath;
        string full;
        try
        {
            full = Path.GetFullPath(outputPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return outputPath;
        }
        return roots.ConfineOutput(field, full);
    }

    /// <summary>
    /// Refuses (ERR_OUTPUT, before anything is written) an output that is one of the job's own
    /// inputs: compared by file identity, so another spelling, a symlink or a hard link to an
    /// input is caught as well as the same string. A job must never replace what it reads.
    /// </summary>
    /// <param name="outputField">The field or argument that named the output, for the message.</param>
    public static void RefuseOwnInputs(string outputPath, IEnumerable<string> inputs, string outputField = "outputPath")
    {
        if (outputPath.Contains('\0'))
            throw new EngineException(ErrorCodes.Output, $"{outputField}: the path contains a NUL character: {outputPath.Replace("\0", "\\0")}");
        if (FileIdentity.Of(outputPath) is not { } output) return; // nothing there yet: it cannot be an input
        foreach (var input in inputs.Distinct())
        {
            if (FileIdentity.Of(input) is { } i && i.Equals(output))
                throw new EngineException(ErrorCodes.Output,
                    $"{outputField}: {outputPath} is {(SameName(outputPath, input) ? "" : "the same file as ")}{input}, one of the job's own inputs; a job never overwrites its inputs (choose another output path)");
        }
    }

    private static bool SameName(string a, string b)
    {
        try
        {
            return Path.GetFullPath(a) == Path.GetFullPath(b);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Moves the finished temp file into place (replacing an older file of the same name).</summary>
    public long Commit()
    {
        try
        {
            if (Path.GetDirectoryName(TempPath) == Path.GetDirectoryName(FinalPath))
            {
                File.Move(TempPath, FinalPath, overwrite: true);
            }
            else
            {
                // Across folders (maybe file systems): copy beside the target under a hidden name,
                // then rename, so the final name still only ever shows a complete file.
                var staging = Path.Combine(Path.GetDirectoryName(FinalPath)!, "." + Path.GetFileName(TempPath));
                try
                {
                    File.Copy(TempPath, staging, overwrite: true);
                    File.Move(staging, FinalPath, overwrite: true);
                }
                finally
                {
                    File.Delete(staging);
                }
                File.Delete(TempPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException(ErrorCodes.Output, $"outputPath: cannot move the finished video to {FinalPath} ({e.Message})", e);
        }
        _committed = true;
        return new FileInfo(FinalPath).Length;
    }

    /// <summary>Removes the temp file unless the output was committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        try
        {
            File.Delete(TempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done; the name starts with '.' and ends in .part.
        }
    }
}
