using System.Runtime.InteropServices;
using ReelSpeed.Engine.Media.Native;
using SkiaSharp;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// A looping video (a chat story's background) delivered as frames already cover-fitted to a
/// box: <see cref="FrameAt"/> gives the source frame on screen at a looped time, scaled so the
/// box is filled (centre crop) and converted to BGRA by swscale.
/// </summary>
/// <remarks>
/// <para>Memory: one decoded source frame plus one look-ahead frame inside the decoder, and one
/// BGRA buffer of box size. The centre crop is applied to the source planes before scaling, so
/// swscale writes exactly the box — no cover-size intermediate, never the whole video.</para>
/// <para>Timing: the frame shown at t is the last source frame whose pts ≤ t mod
/// <see cref="DurationMs"/>. Increasing times decode forward without seeking; a time before the
/// current frame (a loop wrap, or random access) or far ahead of it seeks.</para>
/// <para>Steady state allocates nothing: the returned image is a view on this source's single
/// buffer (see <see cref="FrameAt"/>). One thread at a time; <see cref="Dispose"/> frees all.</para>
/// </remarks>
public sealed unsafe class VideoFrameSource : IDisposable
{
    /// <summary>Frames further ahead than this are reached by seeking when the index has a keyframe in between.</summary>
    internal const double FarAheadMs = 1000;

    /// <summary>
    /// Timestamps within this of a requested time count as reached: render loops compute
    /// t = i * 1000 / fps, which can land a rounding error short of a frame's exact pts.
    /// </summary>
    private const double TimeEpsilonMs = 1e-6;

    // Bilinear: at box sizes near the source size it is as sharp as bicubic and about twice as fast.
    private const int ScaleFlags = AvConst.SwsBilinear;

    private readonly VideoDecoder _decoder;

    /// <summary>
    /// How far ahead of a requested time a frame may start and still be the one shown: a rounding
    /// error for the frame current at each time, or just under half a source frame for the
    /// nearest frame. Containers that store times in whole milliseconds (Matroska/WebM: 33, 67,
    /// 100 ms at 30 fps) would otherwise show every third frame one slot late.
    /// </summary>
    private readonly double _pickToleranceMs = TimeEpsilonMs;
    private readonly VideoFit _fit;
    private readonly bool _loop;
    // The box in the source's orientation, and the scaled picture's size in it (the box itself
    // for cover and fill, smaller for contain).
    private readonly int _boxWidth, _boxHeight, _contentWidth, _contentHeight, _rowBytes;
    private readonly long _bufferBytes;
    private byte* _pixels;
    private SKImage? _image;

    // The frame on screen (pts ≤ t) and the next one decoded (pts > t); swapped, never reallocated.
    private AvFrameHandle _shown = AvFrameHandle.Alloc();
    private AvFrameHandle _ahead = AvFrameHandle.Alloc();
    private bool _hasShown, _hasAhead, _shownConverted;
    private double _shownFromMs, _aheadPtsMs;

    // The scaler and crop for the current source geometry; rebuilt only if a frame differs.
    private SwsContextHandle? _sws;
    // The yuv420p scaler of WriteYuv, built on first use.
    private SwsContextHandle? _yuvSws;
    private int _yuvFormat = AvConst.PixFmtNone, _yuvWidth, _yuvHeight;
    private int _swsWidth, _swsHeight, _swsFormat = AvConst.PixFmtNone, _swsColorspace, _swsRange;
    private AVRational _swsAspect;
    private int _cropX, _cropY, _cropWidth, _cropHeight, _planes, _chromaShiftY;
    private readonly int[] _planeOffsetX = new int[4];
    private bool _disposed;

    /// <summary>Opens <paramref name="path"/> for frames cover-fitted to a box of the given size.</summary>
    /// <param name="path">The video file.</param>
    /// <param name="field">The config field that named the file, used in error messages.</param>
    /// <param name="boxWidth">Width of the box the frames fill, in pixels.</param>
    /// <param name="boxHeight">Height of the box the frames fill, in pixels.</param>
    /// <exception cref="EngineException">ERR_INPUT_NOT_FOUND, ERR_UNSUPPORTED_MEDIA, ERR_DECODE (truncated or corrupt), ERR_RESOURCE_LIMIT.</exception>
    /// <param name="fit">How the frames fill the box: cover (crop), contain (letterbox) or fill (stretch).</param>
    /// <param name="loop">Whether times past the end wrap around (a background) or hold the last frame (a clip).</param>
    /// <param name="decoderThreads">Decoder threads (0: one per core; 1 holds the fewest frames).</param>
    /// <param name="applyRotation">Whether frames are turned upright by the stream's rotation (false: drawn as stored).</param>
    /// <param name="nearest">
    /// Which frame a time shows: false, the frame current at that time (pts ≤ t, as a background
    /// loop plays); true, the frame nearest to it (a processed clip, so a source at the output's
    /// rate maps frame for frame even when its container rounds times to milliseconds).
    /// </param>
    public VideoFrameSource(string path, string field, int boxWidth, int boxHeight, VideoFit fit = VideoFit.Cover, bool loop = true, int decoderThreads = 0,
        bool applyRotation = true, bool nearest = false)
        : this(path, field, boxWidth, boxHeight, fit, loop, decoderThreads, applyRotation, nearest, null)
    {
    }

    /// <param name="log">Frames of the file decoded by an earlier pass, or to record for a later one (see <see cref="DecodeLog"/>).</param>
    internal VideoFrameSource(string path, string field, int boxWidth, int boxHeight, VideoFit fit, bool loop, int decoderThreads,
        bool applyRotation, bool nearest, DecodeLog? log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(boxWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(boxHeight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(boxWidth, VideoDecoder.MaxSide);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(boxHeight, VideoDecoder.MaxSide);
        _fit = fit;
        _loop = loop;
        try
        {
            _decoder = new VideoDecoder(path, field, decoderThreads, log);
            Rotation = applyRotation ? _decoder.Rotation : 0;
            if (nearest)
            {
                // The shorter of the stated and the measured frame period: a rate field that
                // overstates the period must not make a frame show early.
                double period = _decoder.DurationMs / Math.Max(1, _decoder.FrameCount);
                if (_decoder.FrameRate > 0) period = Math.Min(period, 1000 / _decoder.FrameRate);
                _pickToleranceMs = Math.Max(TimeEpsilonMs, 0.5 * period - 0.01);
            }
            // Frames are scaled in the source's orientation and turned upright when drawn, so the
            // box is fitted turned the same way.
            bool quarter = Rotation is 90 or 270;
            (_boxWidth, _boxHeight) = quarter ? (boxHeight, boxWidth) : (boxWidth, boxHeight);
            (_contentWidth, _contentHeight) = ContentSize(_decoder.Width, _decoder.Height, _decoder.SampleAspect);
            var (shownWidth, shownHeight) = quarter ? (_contentHeight, _contentWidth) : (_contentWidth, _contentHeight);
            ContentRect = SKRectI.Create((boxWidth - shownWidth) / 2, (boxHeight - shownHeight) / 2, shownWidth, shownHeight);
            // Rows 64-byte aligned: swscale takes its SIMD path only for aligned destinations.
            _rowBytes = (_contentWidth * 4 + 63) & ~63;
            _bufferBytes = (long)_rowBytes * _contentHeight;
            _pixels = (byte*)NativeMemory.AlignedAlloc((nuint)_bufferBytes, 64);
            GC.AddMemoryPressure(_bufferBytes);
            new Span<byte>(_pixels, (int)Math.Min(int.MaxValue, _bufferBytes)).Clear();
            var info = new SKImageInfo(_contentWidth, _contentHeight, SKColorType.Bgra8888, SKAlphaType.Opaque);
            _image = SKImage.FromPixels(info, (nint)_pixels, _rowBytes)
                ?? throw new EngineException(ErrorCodes.ResourceLimit, $"{field}: cannot wrap a {_contentWidth}x{_contentHeight} frame buffer");
            // Decode the first frame now: a file that opens but cannot decode fails here, not mid-render.
            _hasAhead = _decoder.ReadFrame(_ahead, out _aheadPtsMs);
            if (!_hasAhead) throw new EngineException(ErrorCodes.Decode, $"{field}: {_decoder.FullPath}: no decodable video frame");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Loop length: when the last frame's display ends (its pts plus its duration).</summary>
    public double DurationMs => _decoder.DurationMs;

    /// <summary>The source's nominal frame rate (average rate for variable-rate files).</summary>
    public double SourceFps => _decoder.FrameRate;

    /// <summary>Width of the source's frames in pixels, before cover fitting.</summary>
    public int SourceWidth => _decoder.Width;

    /// <summary>Height of the source's frames in pixels, before cover fitting.</summary>
    public int SourceHeight => _decoder.Height;

    /// <summary>Clockwise quarter turns applied when drawing (from the stream's display matrix).</summary>
    public int Rotation { get; }

    /// <summary>Where the upright picture lies in the box (the whole box unless the fit is contain).</summary>
    public SKRectI ContentRect { get; }

    /// <summary>
    /// Draws the frame at <paramref name="timeMs"/> upright into <paramref name="box"/> (a box of the
    /// size this source was opened for), leaving the bars of a contain fit untouched.
    /// </summary>
    public void Draw(SKCanvas canvas, double timeMs, SKPoint boxOrigin, SKSamplingOptions sampling, SKPaint? paint)
    {
        var image = FrameAt(timeMs);
        // The frame buffer is one image whose pixels change in place; Skia caches an image filter's
        // output by the image's id, so through a filter (blur, sharpen) every frame showed the first.
        // A new wrapper of the same pixels (no copy) has a new id.
        using var pixmap = paint?.ImageFilter is null ? null : image.PeekPixels();
        using var fresh = pixmap is null ? null : SKImage.FromPixels(pixmap);
        if (fresh is not null) image = fresh;
        float left = boxOrigin.X + ContentRect.Left, top = boxOrigin.Y + ContentRect.Top;
        if (Rotation == 0)
        {
            canvas.DrawImage(image, left, top, sampling, paint);
            return;
        }
        canvas.Save();
        // Maps the source-oriented image onto the upright rectangle by a clockwise quarter turn.
        switch (Rotation)
        {
            case 90:
                canvas.Translate(left + ContentRect.Width, top);
                break;
            case 180:
                canvas.Translate(left + ContentRect.Width, top + ContentRect.Height);
                break;
            default:
                canvas.Translate(left, top + ContentRect.Height);
                break;
        }
        canvas.RotateDegrees(Rotation);
        canvas.DrawImage(image, 0, 0, sampling, paint);
        canvas.Restore();
    }

    /// <summary>The scaled picture's size in the source's orientation for this fit (square pixels after scaling).</summary>
    private (int Width, int Height) ContentSize(int width, int height, AVRational aspect)
    {
        if (_fit != VideoFit.Contain) return (_boxWidth, _boxHeight);
        double pixelAspect = aspect.Num > 0 && aspect.Den > 0 ? aspect.ToDouble() : 1;
        double displayWidth = width * pixelAspect;
        double scale = Math.Min(_boxWidth / displayWidth, _boxHeight / (double)height);
        return (Math.Clamp((int)Math.Round(displayWidth * scale), 1, _boxWidth), Math.Clamp((int)Math.Round(height * scale), 1, _boxHeight));
    }

    /// <summary>Seeks done so far (tests check that sequential playback does not seek).</summary>
    internal int SeekCount { get; private set; }

    /// <summary>
    /// The frame on screen at <paramref name="timeMs"/> (looped), cover-fitted to the box.
    /// </summary>
    /// <remarks>
    /// The image is a view on this source's one frame buffer, returned again by every call, so
    /// playback allocates nothing per frame. It is valid until the next call or
    /// <see cref="Dispose"/>, and its pixels change on the next call: draw it at once onto a
    /// raster canvas (without mipmaps) and do not dispose, keep, or record it into a picture.
    /// Alpha in the source is ignored: the image is opaque.
    /// </remarks>
    /// <exception cref="EngineException">ERR_DECODE when the file fails to decode.</exception>
    public SKImage FrameAt(double timeMs)
    {
        Locate(timeMs);
        if (!_shownConverted)
        {
            Convert(_shown.Ptr);
            _shownConverted = true;
        }
        return _image!;
    }

    /// <summary>
    /// Whether <see cref="WriteYuv"/> can serve this source: upright frames (no rotation) that
    /// fill the box (cover or fill), so no drawing is needed to place them.
    /// </summary>
    public bool CanWriteYuv => Rotation == 0 && _fit != VideoFit.Contain;

    /// <summary>
    /// Writes the frame on screen at <paramref name="timeMs"/> straight into a yuv420p frame of
    /// the box's size (<paramref name="yuvFrame"/>, an AVFrame), cropped and scaled by swscale
    /// from the decoded planes without going through RGB: the source's matrix and range are kept
    /// (the encoder is given the source's colour tags), so a re-encode changes no colours. Returns the decoded frame it
    /// came from (valid until the next call).
    /// </summary>
    public nint WriteYuv(double timeMs, nint yuvFrame)
    {
        if (!CanWriteYuv) throw new InvalidOperationException("WriteYuv needs an unrotated source that fills the box");
        Locate(timeMs);
        var frame = _shown.Ptr;
        EnsureScaler(frame);
        int width = LibAv.Field<int>(frame, AvLayout.Frame.Width), height = LibAv.Field<int>(frame, AvLayout.Frame.Height);
        int format = LibAv.Field<int>(frame, AvLayout.Frame.Format);
        if (_yuvSws is null || _yuvFormat != format || _yuvWidth != width || _yuvHeight != height)
        {
            _yuvSws?.Dispose();
            var ctx = YuvScaler(_cropWidth, _cropHeight, format, _swsColorspace, LibAv.Field<int>(frame, AvLayout.Frame.ColorRange), _boxWidth, _boxHeight);
            if (ctx == 0)
                throw new EngineException(ErrorCodes.UnsupportedMedia, $"{_decoder.ErrorPrefix}: cannot convert {LibAv.PixelFormatName(format) ?? format.ToString()} {width}x{height} video to yuv420p");
            _yuvSws = new SwsContextHandle(ctx);
            (_yuvFormat, _yuvWidth, _yuvHeight) = (format, width, height);
        }
        ScaleCrop(frame, _yuvSws.Ptr, (byte**)(yuvFrame + AvLayout.Frame.Data), (int*)(yuvFrame + AvLayout.Frame.Linesize));
        return frame;
    }

    /// <summary>
    /// The decoded frame on screen at <paramref name="timeMs"/> where it already is the picture <see cref="WriteYuv"/> would write
    /// (yuv420p, the box's size, square pixels: the cover crop is the whole frame and the scaler only copies it), else 0, having
    /// moved to that frame all the same. Valid until the next call; a caller may reference it (the decoder never writes into a
    /// frame it gave), never write into it. A pass-through re-encode at the input's size then hands the encoder the decoder's
    /// frame instead of a copy of it (3 MB a frame at 1080x1920).
    /// </summary>
    public nint ShareYuv(double timeMs)
    {
        if (!CanWriteYuv) return 0;
        Locate(timeMs);
        var frame = _shown.Ptr;
        var aspect = LibAv.Field<AVRational>(frame, AvLayout.Frame.SampleAspectRatio);
        bool square = !(aspect.Num > 0 && aspect.Den > 0) || aspect.Num == aspect.Den;
        return LibAv.Field<int>(frame, AvLayout.Frame.Format) == AvConst.PixFmtYuv420p && square
            && LibAv.Field<int>(frame, AvLayout.Frame.Width) == _boxWidth && LibAv.Field<int>(frame, AvLayout.Frame.Height) == _boxHeight
            ? frame : 0;
    }

    /// <summary>
    /// The scaler of <see cref="WriteYuv"/> (0 when libswscale cannot build it): <paramref name="width"/>x<paramref name="height"/> of
    /// <paramref name="format"/> to yuv420p at <paramref name="boxWidth"/>x<paramref name="boxHeight"/>, bicubic, with the same matrix and
    /// range in and out (only the sampling changes, never the colours). optimizeVideo's smaller first pass scales the full size's
    /// decoded frames with it, so its pictures are those the smaller size's own encode gets.
    /// </summary>
    internal static nint YuvScaler(int width, int height, int format, int colorspace, int colorRange, int boxWidth, int boxHeight)
    {
        var ctx = LibAv.sws_getContext(width, height, format, boxWidth, boxHeight, AvConst.PixFmtYuv420p, AvConst.SwsBicubic, 0, 0, null);
        if (ctx == 0) return 0;
        int range = colorRange == AvConst.ColRangeJpeg ? 1 : 0;
        var coefficients = LibAv.sws_getCoefficients(colorspace == AvConst.ColSpcUnspecified ? AvConst.SwsCsDefault : colorspace);
        LibAv.sws_setColorspaceDetails(ctx, coefficients, range, coefficients, range, 0, 1 << 16, 1 << 16);
        return ctx;
    }

    /// <summary>Moves the shown frame to the one on screen at <paramref name="timeMs"/> (looped or held), decoding or seeking as needed.</summary>
    private void Locate(double timeMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!double.IsFinite(timeMs)) throw new ArgumentOutOfRangeException(nameof(timeMs), timeMs, "expected a finite time");
        double duration = _decoder.DurationMs;
        double local;
        if (_loop)
        {
            local = timeMs % duration;
            if (local < 0) local += duration;
            if (duration - local <= TimeEpsilonMs) local = 0; // a rounding error short of the end is the wrap
        }
        else
        {
            local = Math.Max(0, timeMs); // past the end the last frame holds
        }

        if (!_hasShown && !_hasAhead) Seek(local); // only after a failed call: the constructor decodes ahead
        else if (_hasShown && local + _pickToleranceMs < _shownFromMs) Seek(local);
        else if (_hasAhead && local - _aheadPtsMs > FarAheadMs && KeyframeBetween(_aheadPtsMs, local)) Seek(local);
        Advance(local);
    }

    /// <summary>Whether a seek would land past the decoder's position (true when no index can tell).</summary>
    private bool KeyframeBetween(double positionMs, double targetMs)
    {
        double keyframe = _decoder.KeyframeAtOrBeforeMs(targetMs);
        return double.IsNaN(keyframe) || keyframe > positionMs;
    }

    /// <summary>
    /// Seeks so that the first decoded frame is at or before <paramref name="targetMs"/>. Some
    /// indexes (MP4's) hold decode times, which run ahead of presentation times with B-frames,
    /// so a seek can land one keyframe late; then it retries further back.
    /// </summary>
    private void Seek(double targetMs)
    {
        double seekMs = targetMs;
        for (int attempt = 0; ; attempt++)
        {
            _decoder.SeekTo(seekMs);
            SeekCount++;
            _hasShown = false;
            _shownConverted = false;
            _hasAhead = _decoder.ReadFrame(_ahead, out _aheadPtsMs);
            if ((_hasAhead && _aheadPtsMs <= targetMs + TimeEpsilonMs) || seekMs <= 0) break;
            seekMs = Math.Max(0, targetMs - 500.0 * (1 << Math.Min(attempt, 10)));
        }
        if (!_hasAhead)
            throw new EngineException(ErrorCodes.Decode, $"{_decoder.ErrorPrefix}: no decodable video frame at or after {targetMs:0.###} ms");
    }

    /// <summary>Decodes forward until the look-ahead frame is later than <paramref name="localMs"/>.</summary>
    private void Advance(double localMs)
    {
        while (_hasAhead && _aheadPtsMs <= localMs + _pickToleranceMs)
            TakeAhead(_aheadPtsMs);
        // Nothing at or before the time (it precedes the first frame): show the first frame,
        // valid from this time on so the next call does not seek again.
        if (!_hasShown) TakeAhead(Math.Min(localMs, _aheadPtsMs));
    }

    private void TakeAhead(double shownFromMs)
    {
        (_shown, _ahead) = (_ahead, _shown);
        _hasShown = true;
        _shownConverted = false;
        _shownFromMs = shownFromMs;
        _hasAhead = _decoder.ReadFrame(_ahead, out _aheadPtsMs);
    }

    /// <summary>Crops the frame's planes to the cover rectangle and scales it straight into the box buffer.</summary>
    private void Convert(nint frame)
    {
        EnsureScaler(frame);
        byte* dst = _pixels;
        int dstStride = _rowBytes;
        ScaleCrop(frame, _sws!.Ptr, &dst, &dstStride);
    }

    /// <summary>(Re)builds the BGRA scaler and the crop when the frame's geometry or format differs from the last one's.</summary>
    private void EnsureScaler(nint frame)
    {
        int width = LibAv.Field<int>(frame, AvLayout.Frame.Width);
        int height = LibAv.Field<int>(frame, AvLayout.Frame.Height);
        int format = LibAv.Field<int>(frame, AvLayout.Frame.Format);
        int colorspace = LibAv.Field<int>(frame, AvLayout.Frame.Colorspace);
        int range = LibAv.Field<int>(frame, AvLayout.Frame.ColorRange);
        var aspect = LibAv.Field<AVRational>(frame, AvLayout.Frame.SampleAspectRatio);
        if (_sws is null || width != _swsWidth || height != _swsHeight || format != _swsFormat
            || colorspace != _swsColorspace || range != _swsRange || aspect.Num != _swsAspect.Num || aspect.Den != _swsAspect.Den)
            ConfigureScaler(width, height, format, colorspace, range, aspect);
    }

    /// <summary>Scales the crop rectangle of <paramref name="frame"/>'s planes with <paramref name="sws"/> into the destination planes.</summary>
    private void ScaleCrop(nint frame, nint sws, byte** dst, int* dstStride)
    {
        int width = LibAv.Field<int>(frame, AvLayout.Frame.Width);
        int height = LibAv.Field<int>(frame, AvLayout.Frame.Height);
        byte** src = stackalloc byte*[4];
        int* srcStride = stackalloc int[4];
        var data = (byte**)(frame + AvLayout.Frame.Data);
        var linesize = (int*)(frame + AvLayout.Frame.Linesize);
        for (int p = 0; p < 4; p++)
        {
            if (p >= _planes)
            {
                // Not an image plane, but paletted formats keep their palette here: pass it on.
                src[p] = data[p];
                srcStride[p] = linesize[p];
                continue;
            }
            // FFmpeg's plane convention (as in av_frame_apply_cropping): planes 1 and 2 are chroma.
            int rows = p is 1 or 2 ? _cropY >> _chromaShiftY : _cropY;
            src[p] = data[p] + (long)rows * linesize[p] + _planeOffsetX[p];
            srcStride[p] = linesize[p];
        }
        int ret = LibAv.sws_scale(sws, src, srcStride, 0, _cropHeight, dst, dstStride);
        if (ret <= 0) throw new EngineException(ErrorCodes.Decode, $"{_decoder.ErrorPrefix}: converting a {width}x{height} frame failed");
    }

    /// <summary>
    /// Computes the centre crop of a cover fit (scale = max(boxW/srcW, boxH/srcH)) in source
    /// pixels, aligned to the chroma subsampling so every plane starts on a whole sample, and
    /// builds the scaler from that crop to the box.
    /// </summary>
    private void ConfigureScaler(int width, int height, int format, int colorspace, int range, AVRational aspect)
    {
        _sws?.Dispose();
        _sws = null;
        int shiftX = 0, shiftY = 0;
        if (LibAv.av_pix_fmt_get_chroma_sub_sample(format, &shiftX, &shiftY) < 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia, $"{_decoder.ErrorPrefix}: unknown pixel format {format}");

        // Non-square source pixels (anamorphic video) are fitted by their displayed shape. Only
        // cover crops; contain and fill scale the whole frame into the content size.
        int cropWidth = width, cropHeight = height;
        if (_fit == VideoFit.Cover)
        {
            double pixelAspect = aspect.Num > 0 && aspect.Den > 0 ? aspect.ToDouble() : 1;
            double displayWidth = width * pixelAspect;
            double scale = Math.Max(_boxWidth / displayWidth, _boxHeight / (double)height);
            cropWidth = Math.Clamp((int)Math.Round(_boxWidth / scale / pixelAspect), 1, width);
            cropHeight = Math.Clamp((int)Math.Round(_boxHeight / scale), 1, height);
        }
        _cropX = ((width - cropWidth) / 2) & ~((1 << shiftX) - 1);
        _cropY = ((height - cropHeight) / 2) & ~((1 << shiftY) - 1);
        _cropWidth = cropWidth;
        _cropHeight = cropHeight;
        _chromaShiftY = shiftY;
        _planes = Math.Min(4, LibAv.av_pix_fmt_count_planes(format));
        for (int p = 0; p < 4; p++)
            _planeOffsetX[p] = p < _planes && _cropX > 0 ? LibAv.av_image_get_linesize(format, _cropX, p) : 0;

        var ctx = LibAv.sws_getContext(cropWidth, cropHeight, format, _contentWidth, _contentHeight, AvConst.PixFmtBgra, ScaleFlags, 0, 0, null);
        if (ctx == 0)
            throw new EngineException(ErrorCodes.UnsupportedMedia,
                $"{_decoder.ErrorPrefix}: cannot convert {LibAv.PixelFormatName(format) ?? format.ToString()} {width}x{height} video to BGRA");
        _sws = new SwsContextHandle(ctx);

        // Untagged video follows the common convention: HD and larger is BT.709, SD is BT.601.
        int matrix = colorspace == AvConst.ColSpcUnspecified
            ? (height >= 720 ? AvConst.SwsCsItu709 : AvConst.SwsCsDefault)
            : colorspace;
        bool fullRange = range == AvConst.ColRangeJpeg
            || format is AvConst.PixFmtYuvj420p or AvConst.PixFmtYuvj422p or AvConst.PixFmtYuvj444p or AvConst.PixFmtYuvj440p;
        var coefficients = LibAv.sws_getCoefficients(matrix);
        // Fails (harmlessly) for RGB sources, which have no matrix to set.
        LibAv.sws_setColorspaceDetails(ctx, coefficients, fullRange ? 1 : 0, coefficients, 1, 0, 1 << 16, 1 << 16);

        (_swsWidth, _swsHeight, _swsFormat, _swsColorspace, _swsRange, _swsAspect) = (width, height, format, colorspace, range, aspect);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // The image views the buffer: release it before the memory it points into.
        _image?.Dispose();
        _image = null;
        if (_pixels != null)
        {
            NativeMemory.AlignedFree(_pixels);
            _pixels = null;
            GC.RemoveMemoryPressure(_bufferBytes);
        }
        _sws?.Dispose();
        _yuvSws?.Dispose();
        _shown.Dispose();
        _ahead.Dispose();
        _decoder?.Dispose();
    }
}
