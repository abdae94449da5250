using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// The frames one decoder of an input gave, in the order it gave them, kept uncompressed in a temporary file, so that a later
/// pass over the same input reads them back instead of decoding it again (<see cref="VideoDecoder"/> records into it and replays
/// from it). optimizeVideo encodes the same input two or three times (the first pass, the encode's second pass, a size
/// correction); decoding a high-rate input costs about as much as an x264 first pass over it (10 s of 540x960 at crf 8: 1.0 s of
/// CPU), where writing and reading its frames costs a copy into and out of the page cache.
/// <para>The first <see cref="VideoDecoder"/> of <see cref="InputPath"/> opened with the log records every frame it decodes, from
/// the input's first, as long as it only reads forward: a seek, a frame that is not 8-bit 4:2:0 or a failed write abandon the log
/// (<see cref="AbandonedBecause"/>), and every later decoder decodes as usual; at its limit the recording stops and the frames so far
/// are kept (<see cref="FullBecause"/>). Once the
/// recording decoder is closed, each later decoder of the input replays the frames, with their timestamps and colour
/// description, bit for bit what decoding gives; one that reads past the frames recorded (where the recording stopped before
/// the end of the stream: a first pass cut early, <see cref="Pipeline.EarlyStuckWatch"/>, or the log's limit) goes on decoding
/// from there: it seeks to the keyframe before the last frame recorded and decodes up to that frame, every frame from the keyframe
/// on coming out bit for bit as recorded (<see cref="VideoDecoder.GoOnMatchedFrames"/> at least; else it decodes from the input's
/// start, skipping the frames it already gave), and records the frames after
/// it (<see cref="ResumeRecording"/>) while the limit allows, so that the decoder after it replays further.</para>
/// <para>The file is unlinked as soon as it is created (the open handle keeps it): nothing is left behind, whatever ends the
/// process. Thread-safe: recording and replaying happen on render threads one after the other.</para>
/// </summary>
internal sealed unsafe class DecodeLog : IDisposable
{
    /// <summary>
    /// Most bytes a log holds: 10 s of 1080x1920 at 30 fps is 933 MB, 23 s of 540x960 512 MB. A longer input decodes again.
    /// </summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>File systems held in memory, where no log is kept (<see cref="Create"/>).</summary>
    public static readonly IReadOnlySet<string> MemoryBacked = new HashSet<string>(StringComparer.Ordinal) { "tmpfs", "ramfs" };

    /// <summary>A log takes at most this share of the free space where it is written.</summary>
    public const double MaxFreeShare = 0.25;

    /// <summary>
    /// The least share of their raw size an input's frames must take compressed for the log to record them. Decoding H.264 costs
    /// about 0.4 ms per MB of raw picture plus 18 ms per MB of compressed stream, on one core of the 2-core machine (10 s at crf 8:
    /// 540x960 talking head 1.07 s, grain 1.95 s, animation 0.55 s, gameplay 0.33 s, screen recording 0.1 s; 1080x1920 talking head
    /// 4.2 s, animation 1.8 s, gameplay 0.9 s). Keeping a frame costs writing it into the page cache and reading it back: 0.35 ms per
    /// MB where the memory was in use shortly before, 2.4 ms per MB where the virtual machine hands it out anew (933 MB written at
    /// once). Under this share a decode costs no more than that (a 1080x1920 screen recording at 0.1 % took its job 2 s more CPU
    /// with the log; the 1080x1920 talking head, at 23 %, 0.9 s less), and the input is decoded again.
    /// </summary>
    public const double MinCompressedShare = 0.12;

    private readonly record struct Entry(long Offset, double PtsMs, int Width, int Height, int Format, int Colorspace, int Range, int Primaries, int Trc,
        AVRational Aspect);

    private enum State { Open, Recording, Recorded, Abandoned }

    private readonly object _lock = new();
    private readonly List<Entry> _frames = new();
    private readonly long _maxBytes;
    private SafeFileHandle? _file;
    private State _state;
    private long _bytes;
    private byte* _staging;
    private long _stagingBytes;
    private long _replayed;

    private readonly double _minCompressedShare;

    private DecodeLog(string inputPath, SafeFileHandle file, long maxBytes, double minCompressedShare)
    {
        InputPath = inputPath;
        _file = file;
        _maxBytes = maxBytes;
        _minCompressedShare = minCompressedShare;
    }

    /// <summary>
    /// A new log for <paramref name="inputPath"/> (matched against <see cref="VideoDecoder.FullPath"/>) in
    /// <paramref name="directory"/> (default: the system's temporary folder), or null where no file can be made there or the folder
    /// is held in memory (<see cref="MemoryBacked"/>).
    /// </summary>
    /// <param name="minCompressedShare">See <see cref="MinCompressedShare"/> (tests record any input with 0).</param>
    public static DecodeLog? Create(string inputPath, string? directory, long maxBytes = DefaultMaxBytes, double minCompressedShare = MinCompressedShare)
    {
        string dir = directory ?? Path.GetTempPath();
        try
        {
            var drive = new DriveInfo(Path.GetFullPath(dir));
            // In memory (tmpfs, ramfs) the frames would be the process's memory in all but name, and unlike the page cache of a disk
            // the kernel cannot write them out under pressure: a memory-bounded container would run out of it.
            if (MemoryBacked.Contains(drive.DriveFormat)) return null;
            maxBytes = Math.Min(maxBytes, (long)(drive.AvailableFreeSpace * MaxFreeShare));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
        }
        if (maxBytes <= 0) return null;
        string path = Path.Combine(dir, "reelspeed-frames-" + Guid.NewGuid().ToString("N")[..12] + ".yuv");
        try
        {
            var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
            if (!OperatingSystem.IsWindows()) File.Delete(path); // the handle keeps the file until it closes
            return new DecodeLog(Path.GetFullPath(inputPath), file, maxBytes, minCompressedShare);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The input whose frames are logged (a full path).</summary>
    public string InputPath { get; }

    /// <summary>Frames recorded.</summary>
    public int Frames
    {
        get { lock (_lock) return _frames.Count; }
    }

    /// <summary>Whether the recording reached the end of the stream (a replay past the last frame then ends too).</summary>
    public bool ReachedEnd { get; private set; }

    /// <summary>Why the log stopped being kept, or null.</summary>
    public string? AbandonedBecause { get; private set; }

    /// <summary>Why the recording stopped before the end of the stream at the log's limit (the frames so far are kept), or null.</summary>
    public string? FullBecause { get; private set; }

    /// <summary>The time of the last frame recorded, where every recorded frame's time is later than the one before (else null): where a decoder seeks to go on past them.</summary>
    public double? LastPtsMsIfIncreasing
    {
        get
        {
            lock (_lock)
            {
                if (_frames.Count == 0) return null;
                for (int i = 1; i < _frames.Count; i++)
                {
                    if (!(_frames[i].PtsMs > _frames[i - 1].PtsMs)) return null;
                }
                return _frames[^1].PtsMs;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="frame"/> is, bit for bit (size, format and planes), the frame recorded at <paramref name="ptsMs"/>
    /// (false where none was): a decoder that seeked and decoded up to the last recorded frame checks each frame on the way.
    /// </summary>
    public bool IsRecordedFrame(double ptsMs, nint frame)
    {
        lock (_lock)
        {
            if (_state != State.Recorded) return false;
            int i = _frames.FindLastIndex(f => f.PtsMs == ptsMs);
            if (i < 0) return false;
            var e = _frames[i];
            if (LibAv.Field<int>(frame, AvLayout.Frame.Width) != e.Width || LibAv.Field<int>(frame, AvLayout.Frame.Height) != e.Height
                || LibAv.Field<int>(frame, AvLayout.Frame.Format) != e.Format)
                return false;
            return StageLocked(e) is null && Rows(frame, e.Width, e.Height, RowOp.Compare);
        }
    }

    /// <summary>Frames read back so far, over all replays.</summary>
    public long Replayed
    {
        get { lock (_lock) return _replayed; }
    }

    /// <summary>Whether later decoders of the input read the frames back.</summary>
    public bool CanReplay
    {
        get { lock (_lock) return _state == State.Recorded; }
    }

    /// <summary>
    /// Makes the caller the recorder; false where the log is being or was recorded, or was abandoned, or where the input's frames take
    /// less than <see cref="MinCompressedShare"/> of their raw size compressed (<paramref name="compressedShare"/>: the stream's bytes
    /// over its frames' raw 4:2:0 bytes), which abandons it.
    /// </summary>
    public bool StartRecording(double compressedShare)
    {
        lock (_lock)
        {
            if (_state != State.Open) return false;
            if (!(compressedShare >= _minCompressedShare))
            {
                AbandonLocked($"the input is compressed to {compressedShare * 100:0.##} % of its raw frames' size, under {_minCompressedShare * 100:0.##} %: decoding it again costs less than keeping its frames");
                return false;
            }
            _state = State.Recording;
            return true;
        }
    }

    /// <summary>
    /// Makes a decoder that replayed the <paramref name="replayed"/> frames recorded and then decoded the input again up to them the
    /// recorder again, of the frames after them; false where the recording reached the end of the stream, the log is not recorded
    /// (abandoned, or another decoder records), or <paramref name="replayed"/> is not every frame recorded.
    /// </summary>
    public bool ResumeRecording(int replayed)
    {
        lock (_lock)
        {
            if (_state != State.Recorded || ReachedEnd || FullBecause is not null || replayed != _frames.Count) return false;
            _state = State.Recording;
            return true;
        }
    }

    /// <summary>Appends a decoded frame (the recorder's, in decode output order); one staging buffer serves recording and replay.</summary>
    public void Append(nint frame, double ptsMs)
    {
        lock (_lock)
        {
            if (_state != State.Recording) return;
            int width = LibAv.Field<int>(frame, AvLayout.Frame.Width), height = LibAv.Field<int>(frame, AvLayout.Frame.Height);
            int format = LibAv.Field<int>(frame, AvLayout.Frame.Format);
            if (format is not (AvConst.PixFmtYuv420p or AvConst.PixFmtYuvj420p) || width <= 0 || height <= 0)
            {
                AbandonLocked($"a frame is {LibAv.PixelFormatName(format) ?? format.ToString()} {width}x{height}, not 8-bit 4:2:0");
                return;
            }
            long size = FrameBytes(width, height);
            if (_bytes + size > _maxBytes)
            {
                // The frames so far stay: a later decoder reads them back and goes on from there (VideoDecoder).
                if (_frames.Count == 0) AbandonLocked($"a frame would take more than {_maxBytes >> 20} MiB");
                else
                {
                    _state = State.Recorded;
                    FullBecause = $"the frames after the first {_frames.Count} would take more than {_maxBytes >> 20} MiB";
                }
                return;
            }
            for (int p = 0; p < 3; p++)
            {
                if (LibAv.Field<int>(frame, AvLayout.Frame.Linesize + 4 * p) < PlaneWidth(width, p))
                {
                    AbandonLocked("a frame's rows are stored bottom up or overlap");
                    return;
                }
            }
            EnsureStaging(size);
            Rows(frame, width, height, RowOp.ToStaging);
            try
            {
                RandomAccess.Write(_file!, new ReadOnlySpan<byte>(_staging, (int)size), _bytes);
            }
            catch (IOException e)
            {
                AbandonLocked($"writing the frames failed ({e.Message})");
                return;
            }
            _frames.Add(new Entry(_bytes, ptsMs, width, height, format, LibAv.Field<int>(frame, AvLayout.Frame.Colorspace),
                LibAv.Field<int>(frame, AvLayout.Frame.ColorRange), LibAv.Field<int>(frame, AvLayout.Frame.ColorPrimaries),
                LibAv.Field<int>(frame, AvLayout.Frame.ColorTrc), LibAv.Field<AVRational>(frame, AvLayout.Frame.SampleAspectRatio)));
            _bytes += size;
        }
    }

    /// <summary>The recorder read to the end of the stream.</summary>
    public void MarkEnd()
    {
        lock (_lock)
            if (_state == State.Recording) ReachedEnd = true;
    }

    /// <summary>The recorder closed: the frames it recorded can be read back (where it recorded any).</summary>
    public void EndRecording()
    {
        lock (_lock)
        {
            if (_state != State.Recording) return;
            if (_frames.Count == 0) AbandonLocked("no frame was recorded");
            else _state = State.Recorded;
        }
    }

    /// <summary>As <see cref="Abandon"/>, where the log is being recorded: one that stopped at its limit keeps its frames.</summary>
    public void AbandonRecording(string why)
    {
        lock (_lock)
            if (_state == State.Recording) AbandonLocked(why);
    }

    /// <summary>Stops keeping the log (its file is emptied); later decoders decode.</summary>
    public void Abandon(string why)
    {
        lock (_lock) AbandonLocked(why);
    }

    private void AbandonLocked(string why)
    {
        if (_state == State.Abandoned) return;
        _state = State.Abandoned;
        AbandonedBecause = why;
        _frames.Clear();
        _bytes = 0;
        try
        {
            if (_file is { IsClosed: false } file) RandomAccess.SetLength(file, 0);
        }
        catch (IOException)
        {
        }
        FreeStaging();
    }

    /// <summary>
    /// Reads frame <paramref name="index"/> back into <paramref name="frame"/> and gives its presentation time: into the frame's own
    /// buffer where nothing else references it, else into a new one (the old one stays with whoever references it). False, the frame
    /// untouched, past the frames recorded, or where the log was abandoned or closed; a file that cannot be read back abandons it.
    /// </summary>
    public bool TryRead(int index, nint frame, out double ptsMs)
    {
        ptsMs = 0;
        lock (_lock)
        {
            if (_state != State.Recorded || index < 0 || index >= _frames.Count) return false;
            var e = _frames[index];
            if (StageLocked(e) is { } failed)
            {
                AbandonLocked(failed);
                return false;
            }
            // The frame's own buffer where nothing else references it (nothing measures the pictures in flight), else a new one.
            bool reuse = LibAv.Field<nint>(frame, AvLayout.Frame.Data) != 0 && LibAv.Field<int>(frame, AvLayout.Frame.Width) == e.Width
                && LibAv.Field<int>(frame, AvLayout.Frame.Height) == e.Height && LibAv.Field<int>(frame, AvLayout.Frame.Format) == e.Format
                && LibAv.av_frame_is_writable(frame) != 0;
            if (!reuse)
            {
                LibAv.av_frame_unref(frame);
                LibAv.Field<int>(frame, AvLayout.Frame.Width) = e.Width;
                LibAv.Field<int>(frame, AvLayout.Frame.Height) = e.Height;
                LibAv.Field<int>(frame, AvLayout.Frame.Format) = e.Format;
                AvCheck.Ok(LibAv.av_frame_get_buffer(frame, 0), ErrorCodes.Decode, "allocating a video frame");
            }
            LibAv.Field<int>(frame, AvLayout.Frame.Colorspace) = e.Colorspace;
            LibAv.Field<int>(frame, AvLayout.Frame.ColorRange) = e.Range;
            LibAv.Field<int>(frame, AvLayout.Frame.ColorPrimaries) = e.Primaries;
            LibAv.Field<int>(frame, AvLayout.Frame.ColorTrc) = e.Trc;
            LibAv.Field<AVRational>(frame, AvLayout.Frame.SampleAspectRatio) = e.Aspect;
            Rows(frame, e.Width, e.Height, RowOp.FromStaging);
            ptsMs = e.PtsMs;
            _replayed++;
            return true;
        }
    }

    /// <summary>Empties the file but keeps the frames' list, as a disk that loses the data would (tests).</summary>
    internal void LoseFileForTests()
    {
        lock (_lock) RandomAccess.SetLength(_file!, 0);
    }

    /// <summary>The last recorded frame shown at or before <paramref name="ms"/> (0 where none is): where a seek lands in a replay.</summary>
    public int IndexAtOrBefore(double ms)
    {
        lock (_lock)
        {
            int best = 0;
            double bestPts = double.NegativeInfinity;
            for (int i = 0; i < _frames.Count; i++)
            {
                double pts = _frames[i].PtsMs;
                if (pts <= ms && pts >= bestPts) (best, bestPts) = (i, pts);
            }
            return best;
        }
    }

    /// <summary>Reads <paramref name="e"/>'s planes from the file into the staging buffer; null, or why they could not be read.</summary>
    private string? StageLocked(Entry e)
    {
        long size = FrameBytes(e.Width, e.Height);
        EnsureStaging(size);
        int read;
        try
        {
            read = RandomAccess.Read(_file!, new Span<byte>(_staging, (int)size), e.Offset);
        }
        catch (IOException ex)
        {
            return $"reading the frames back failed ({ex.Message})";
        }
        return read == size ? null : $"the file gave {read} of a frame's {size} bytes back";
    }

    private enum RowOp { ToStaging, FromStaging, Compare }

    /// <summary>
    /// Walks the rows of <paramref name="frame"/>'s three planes (<paramref name="width"/> x <paramref name="height"/>, 4:2:0) against the
    /// staging buffer, where they lie packed: copies them into it or out of it, or compares them (false at the first row that differs).
    /// </summary>
    private bool Rows(nint frame, int width, int height, RowOp op)
    {
        byte* staged = _staging;
        for (int p = 0; p < 3; p++)
        {
            int rowBytes = PlaneWidth(width, p), rows = PlaneHeight(height, p);
            int stride = LibAv.Field<int>(frame, AvLayout.Frame.Linesize + 4 * p);
            byte* plane = (byte*)LibAv.Field<nint>(frame, AvLayout.Frame.Data + 8 * p);
            for (int y = 0; y < rows; y++, staged += rowBytes)
            {
                byte* row = plane + (long)y * stride;
                switch (op)
                {
                    case RowOp.ToStaging: Buffer.MemoryCopy(row, staged, rowBytes, rowBytes); break;
                    case RowOp.FromStaging: Buffer.MemoryCopy(staged, row, rowBytes, rowBytes); break;
                    default:
                        if (!new ReadOnlySpan<byte>(staged, rowBytes).SequenceEqual(new ReadOnlySpan<byte>(row, rowBytes))) return false;
                        break;
                }
            }
        }
        return true;
    }

    private static int PlaneWidth(int width, int plane) => plane == 0 ? width : (width + 1) / 2;
    private static int PlaneHeight(int height, int plane) => plane == 0 ? height : (height + 1) / 2;

    /// <summary>Bytes of one 8-bit 4:2:0 frame, its planes' rows one after another.</summary>
    public static long FrameBytes(int width, int height) => (long)width * height + 2L * PlaneWidth(width, 1) * PlaneHeight(height, 1);

    private void EnsureStaging(long size)
    {
        if (_stagingBytes >= size) return;
        FreeStaging();
        _staging = (byte*)NativeMemory.Alloc((nuint)size);
        _stagingBytes = size;
    }

    private void FreeStaging()
    {
        if (_staging == null) return;
        NativeMemory.Free(_staging);
        _staging = null;
        _stagingBytes = 0;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _state = State.Abandoned;
            AbandonedBecause ??= "closed";
            _frames.Clear();
            FreeStaging();
            _file?.Dispose();
            _file = null;
        }
    }
}
