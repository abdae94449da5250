using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Render;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Turns a scene's frames (the job's range) into yuv420p pictures on a thread of its own: each is
/// drawn into one BGRA surface and converted into a free slot of a small ring, which the consumer
/// takes in order (<see cref="Take"/>). A frame whose state equals the one before it is the same
/// picture: it is neither drawn nor converted, and the consumer gets the previous slot again (most
/// of a story holds still). A pass-through composition skips drawing: the decoder writes YUV straight
/// into the slot, or, where its frame needs no conversion (an input re-encoded at its own size), the
/// slot references that frame. Memory is the ring, whatever the length.
/// </summary>
internal sealed class FrameProducer : IDisposable
{
    /// <summary>Converted frames in flight between the render thread and the encoder.</summary>
    public const int RingSize = 3;

    /// <summary>
    /// Frames announced ahead of the encoder. A repeated frame takes no slot, so the render thread
    /// runs on through a still stretch and draws the next moving frames (as many as the ring has free
    /// slots) while the encoder is still on the still ones, instead of stopping three frames ahead.
    /// </summary>
    public const int QueueLength = 64;

    /// <summary>Marks a frame identical to the one before it (no slot: nothing was drawn).</summary>
    private const int SameAsPrevious = -1;

    /// <summary>Whether frames identical to their predecessor are re-sent instead of re-drawn (off only to test that they are identical).</summary>
    internal static bool ReuseStaticFrames { get; set; } = true;

    /// <summary>Whether a pass-through slot references a decoded frame that needs no conversion instead of copying it (off only to test that the output is the same).</summary>
    internal static bool ShareDecodedFrames { get; set; } = true;

    private readonly JobContext _job;
    private readonly FrameConverter _converter;
    private readonly AvFrameHandle[] _ring = new AvFrameHandle[RingSize];
    // Per slot, when the job measures its quality in flight: a reference to the decoded source frame a
    // pass-through picture was scaled from (the measurement's reference; 0 otherwise).
    private readonly nint[] _sourceOf = new nint[RingSize];
    // Per slot: whether it references a decoder's frame (ShareYuv) instead of holding a buffer of its own.
    private readonly bool[] _shared = new bool[RingSize];
    // A new frame's properties, which a shared slot takes instead of the decoder's (Share).
    private readonly AvFrameHandle _defaults = AvFrameHandle.Alloc();
    private readonly BlockingCollection<int> _free = new(RingSize);
    private readonly BlockingCollection<(int Frame, int Slot)> _ready = new(QueueLength);
    private Thread? _thread;
    private Exception? _error;
    private double _renderMs, _convertMs;

    public FrameProducer(JobContext job)
    {
        _job = job;
        _converter = new FrameConverter(job.Scene.Width, job.Scene.Height);
        try
        {
            for (int i = 0; i < RingSize; i++)
            {
                _ring[i] = _converter.AllocateFrame();
                _free.Add(i);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Starts drawing on the render thread.</summary>
    public void Start()
    {
        _thread = new Thread(Produce) { Name = "reelspeed-render", IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// The job's frames in order, as (frame index in the scene, yuv420p AVFrame, and for a pass-through scene whose
    /// quality is measured in flight the decoded source frame it was scaled from, else 0). Both may be kept only
    /// until the next one is asked for (encoders copy what they are given; the measurement takes a reference).
    /// </summary>
    public IEnumerable<(int Frame, nint Picture, nint Source)> Take()
    {
        int last = -1;
        foreach (var (frame, slot) in _ready.GetConsumingEnumerable(_job.Token))
        {
            int shown = slot == SameAsPrevious ? last : slot;
            yield return (frame, _ring[shown].Ptr, _sourceOf[shown]);
            if (slot == SameAsPrevious) continue;
            // Sent: the previous slot is free again; this one is kept for a frame that repeats it.
            if (last >= 0) _free.Add(last, _job.Token);
            last = slot;
        }
    }

    /// <summary>Whether the render thread failed (the job's token is then cancelled).</summary>
    public bool Failed => _error is not null;

    /// <summary>Waits for the render thread, adds its times to the job, and rethrows its failure.</summary>
    public void Finish()
    {
        if (_thread is { } t && !t.Join(0))
        {
            if (!_ready.IsAddingCompleted) _job.Cancellation.Cancel(); // the consumer left early: stop drawing
            t.Join();
        }
        _thread = null;
        _job.Stages += new StageTimes(_renderMs, _convertMs, 0, 0, 0);
        _renderMs = _convertMs = 0;
        if (_error is { } e)
            throw e is EngineException ? e : new EngineException(ErrorCodes.Internal, $"rendering failed: {e.Message}", e);
    }

    private void Produce()
    {
        var token = _job.Token;
        var scene = _job.Scene;
        var sw = new Stopwatch();
        try
        {
            using var renderer = new FrameRenderer(scene, _job.Options.DecodeLog);
            using var surface = renderer.PassThrough ? null : new FrameSurface(FrameRenderer.FrameInfo(scene));
            bool reuse = ReuseStaticFrames;
            var previous = new List<double>(64);
            var current = new List<double>(64);
            bool previousCaptured = false;
            int reused = 0;
            for (int f = _job.Range.Start; f < _job.Range.End; f++)
            {
                double t = scene.FrameTimeMs(f);
                bool captured = reuse && renderer.CaptureState(t, current);
                if (captured && previousCaptured && CollectionsMarshal.AsSpan(current).SequenceEqual(CollectionsMarshal.AsSpan(previous)))
                {
                    reused++;
                    _ready.Add((f, SameAsPrevious), token);
                    continue;
                }
                (previous, current) = (current, previous);
                previousCaptured = captured;
                int slot = _free.Take(token);
                var picture = _ring[slot].Ptr;
                if (surface is null)
                {
                    sw.Restart();
                    nint source = ShareDecodedFrames ? renderer.ShareYuv(t) : 0;
                    if (source != 0) Share(slot, source);
                    else
                    {
                        OwnBuffer(slot);
                        AvCheck.Ok(LibAv.av_frame_make_writable(picture), ErrorCodes.Encode, "video frame");
                        source = renderer.WriteYuv(t, picture);
                    }
                    if (_job.Options.Quality is not null) KeepSource(slot, source);
                    _convertMs += sw.Elapsed.TotalMilliseconds;
                }
                else
                {
                    sw.Restart();
                    renderer.Render(surface.Canvas, t);
                    surface.Canvas.Flush();
                    _renderMs += sw.Elapsed.TotalMilliseconds;
                    sw.Restart();
                    AvCheck.Ok(LibAv.av_frame_make_writable(picture), ErrorCodes.Encode, "video frame");
                    _converter.Convert(surface.Pixels, surface.RowBytes, picture);
                    _convertMs += sw.Elapsed.TotalMilliseconds;
                }
                _ready.Add((f, slot), token);
            }
            _ready.CompleteAdding();
            _job.SpriteHits += renderer.SpriteHits;
            _job.SpriteMisses += renderer.SpriteMisses;
            _job.ReusedFrames += reused;
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _error = e;
            _job.Cancellation.Cancel();
        }
    }

    /// <summary>
    /// Makes the slot's picture a reference to the decoded frame <paramref name="decoded"/> (which needs no conversion) instead of a
    /// copy: its planes, size and format, and nothing else of it. Every other property is a new frame's, as on a picture the
    /// converter writes: the decoder's frame type would force the encoder's (libx264 codes an I frame as a keyframe), its
    /// interlacing and repeat flags would make a QSV session code fields or repeat frames, and side data such as closed captions
    /// or stereo packing would be written into the output as SEI.
    /// </summary>
    private unsafe void Share(int slot, nint decoded)
    {
        var picture = _ring[slot].Ptr;
        LibAv.av_frame_unref(picture);
        AvCheck.Ok(LibAv.av_frame_ref(picture, decoded), ErrorCodes.Encode, "video frame");
        _shared[slot] = true;
        AvCheck.Ok(LibAv.av_frame_copy_props(picture, _defaults.Ptr), ErrorCodes.Encode, "video frame");
        // Copying properties adds the source's side data and metadata to the destination's: the decoder's are removed here.
        while (LibAv.Field<int>(picture, AvLayout.Frame.NbSideData) > 0)
        {
            nint first = *(nint*)LibAv.Field<nint>(picture, AvLayout.Frame.SideData);
            LibAv.av_frame_remove_side_data(picture, LibAv.Field<int>(first, AvLayout.FrameSideData.Type));
        }
        LibAv.av_dict_free((nint*)(picture + AvLayout.Frame.Metadata));
    }

    /// <summary>Gives a slot that referenced a decoder's frame a buffer of its own again, to be written into.</summary>
    private void OwnBuffer(int slot)
    {
        if (!_shared[slot]) return;
        var picture = _ring[slot].Ptr;
        LibAv.av_frame_unref(picture);
        _shared[slot] = false;
        FrameConverter.AllocateBuffer(picture, _job.Scene.Width, _job.Scene.Height);
    }

    /// <summary>Replaces the slot's reference to its source frame (the consumer took its own reference to the last one).</summary>
    private unsafe void KeepSource(int slot, nint source)
    {
        nint old = _sourceOf[slot];
        if (old != 0) LibAv.av_frame_free(&old);
        _sourceOf[slot] = 0;
        nint clone = LibAv.av_frame_clone(source);
        if (clone == 0) throw new OutOfMemoryException("av_frame_clone failed");
        _sourceOf[slot] = clone;
    }

    public unsafe void Dispose()
    {
        if (_thread is not null)
        {
            _job.Cancellation.Cancel();
            _thread.Join();
        }
        foreach (var f in _ring) f?.Dispose();
        _defaults.Dispose();
        for (int i = 0; i < RingSize; i++)
        {
            nint source = _sourceOf[i];
            if (source != 0) LibAv.av_frame_free(&source);
            _sourceOf[i] = 0;
        }
        _converter.Dispose();
        _free.Dispose();
        _ready.Dispose();
    }
}
