using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>Wall-clock milliseconds spent in each stage (render runs beside the others).</summary>
public sealed record StageTimes(double RenderMs, double ConvertMs, double EncodeMs, double AudioMs, double MuxMs);

/// <summary>
/// Loudness of the audio track as encoded (integrated LUFS per BS.1770, true peak in dBTP),
/// and of the mix before normalisation with the gain applied. -∞ means silence.
/// </summary>
public sealed record AudioLevels(double IntegratedLufs, double TruePeakDbtp, double? SourceLufs, double? GainDb);

public sealed record RenderResult(
    string OutputPath, long FileSize, double DurationMs, int Frames, double WallMs,
    string VideoEncoder, string AudioEncoder, StageTimes Stages, Scene Scene, long SpriteHits = 0, long SpriteMisses = 0,
    AudioLevels? Audio = null, int ReusedFrames = 0, string? HardwareFallback = null);

/// <summary>
/// Renders a scene to a video file as a stream: a render thread draws frames into a small
/// pool of buffers while this thread converts each to yuv420p, encodes it, produces the
/// matching span of audio and muxes both. Memory is bounded by the pool, not the length.
/// Audio and video positions both derive from the frame counter, so they cannot drift.
/// </summary>
public static class RenderJob
{
    public const int PoolSize = 3;

    /// <summary>Marks a frame identical to the one before it (no buffer: nothing was drawn).</summary>
    private const int SameAsPrevious = -1;
    public const int ProgressIntervalMs = 100;

    /// <summary>
    /// Runs the job on a dedicated thread (never the small thread pool) and completes the task
    /// when the file is in place.
    /// </summary>
    public static Task<RenderResult> RunAsync(Scene scene, string outputPath, Action<RenderProgress>? progress = null, CancellationToken cancel = default,
        string? tempDirectory = null, int encoderThreads = 0, HardwareAcceleration hardware = HardwareAcceleration.Off) =>
        DedicatedThread.Run("reelspeed-job", () => Run(scene, outputPath, progress, cancel, tempDirectory, encoderThreads, hardware));

    /// <summary>Whether frames identical to their predecessor are re-sent instead of re-drawn (off only to test that they are identical).</summary>
    internal static bool ReuseStaticFrames { get; set; } = true;

    /// <param name="tempDirectory">Where the partial file is written (default: beside the output).</param>
    /// <param name="encoderThreads">x264 threads (0: x264's choice for the machine).</param>
    /// <param name="hardware">The engine's hardware encoder policy (<see cref="VideoEncoder.Open"/>).</param>
    public static RenderResult Run(Scene scene, string outputPath, Action<RenderProgress>? progress = null, CancellationToken cancel = default,
        string? tempDirectory = null, int encoderThreads = 0, HardwareAcceleration hardware = HardwareAcceleration.Off)
    {
        LibAvLoader.EnsureLoaded();
        var wall = Stopwatch.StartNew();
        using var output = OutputFile.Create(outputPath, tempDirectory);
        VideoEncoder.CheckContainer(scene.Encode.Codec, output.MuxerFormat, output.FinalPath);
        StageTimes stages;
        var sprites = new SpriteCounts();
        var loudness = new LoudnessReport();
        var encoders = new EncoderReport();
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            try
            {
                stages = Encode(scene, output, progress, cts, sprites, loudness, encoderThreads, hardware, encoders, tempDirectory);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new EngineException(ErrorCodes.Aborted, "the render was aborted");
            }
        }
        long size = output.Commit();
        progress?.Invoke(new RenderProgress(scene.FrameCount, scene.FrameCount, scene.FrameCount / Math.Max(1e-9, wall.Elapsed.TotalSeconds), 0, "done"));
        return new RenderResult(output.FinalPath, size, scene.FrameTimeMs(scene.FrameCount), scene.FrameCount,
            wall.Elapsed.TotalMilliseconds, encoders.Video, encoders.Audio, stages, scene, sprites.Hits, sprites.Misses,
            new AudioLevels(loudness.Meter.IntegratedLufs, loudness.Peak.TruePeakDbtp, loudness.Analysis?.IntegratedLufs, loudness.Analysis?.GainDb),
            sprites.ReusedFrames, encoders.HardwareFallback);
    }

    /// <summary>Filled by the render thread when it ends.</summary>
    private sealed class SpriteCounts
    {
        public long Hits, Misses;
        public int ReusedFrames;
    }

    /// <summary>The encoders the job actually used, and why not the requested hardware one.</summary>
    private sealed class EncoderReport
    {
        public string Video = "", Audio = "";
        public string? HardwareFallback;
    }

    /// <summary>Measured on the PCM that goes into the AAC encoder.</summary>
    private sealed class LoudnessReport
    {
        public readonly LoudnessMeter Meter = new();
        public readonly TruePeakMeter Peak = new();
        public AudioAnalysis? Analysis;
    }

    /// <summary>Which pass over the frames this is, for progress: frames count from <see cref="FrameOffset"/> out of <see cref="TotalFrames"/>.</summary>
    private readonly record struct PassProgress(int FrameOffset, int TotalFrames, string Stage);

    private static StageTimes Encode(Scene scene, OutputFile output, Action<RenderProgress>? progress, CancellationTokenSource cts, SpriteCounts sprites, LoudnessReport loudness, int encoderThreads,
        HardwareAcceleration hardware, EncoderReport encoders, string? tempDirectory)
    {
        if (scene.Encode.RateControl != RateControlMode.TwoPass)
            return EncodeOutput(scene, output, progress, cts, sprites, loudness, encoderThreads, hardware, encoders, null, new PassProgress(0, scene.FrameCount, "encode"));

        // Two passes over the same frames: the first only feeds the encoder's analysis (no audio,
        // no file), the second encodes for real with its statistics. Progress runs over both.
        using var stats = TwoPassStats.Create(tempDirectory);
        var token = cts.Token;
        // Every output container here keeps codec headers globally; pass 1 matches pass 2's settings.
        var spec = new VideoEncoderSpec(scene.Width, scene.Height, scene.FrameRateNum, scene.Encode, GlobalHeader: true, encoderThreads) { FpsDen = scene.FrameRateDen, Pass = EncodePass.First, Stats = stats };
        StageTimes first;
        using (var video = VideoEncoder.Open(spec, hardware, out _))
        {
            var sink = new NullPacketSink();
            first = EncodeFrames(scene, sink, video, null, null, null, progress, cts, sprites, loudness, 0, new PassProgress(0, 2 * scene.FrameCount, "pass-1"));
        }
        token.ThrowIfCancellationRequested();
        var second = EncodeOutput(scene, output, progress, cts, sprites, loudness, encoderThreads, hardware, encoders, stats, new PassProgress(scene.FrameCount, 2 * scene.FrameCount, "encode"));
        return new StageTimes(first.RenderMs + second.RenderMs, first.ConvertMs + second.ConvertMs, first.EncodeMs + second.EncodeMs, second.AudioMs, second.MuxMs);
    }

    private static StageTimes EncodeOutput(Scene scene, OutputFile output, Action<RenderProgress>? progress, CancellationTokenSource cts, SpriteCounts sprites, LoudnessReport loudness, int encoderThreads,
        HardwareAcceleration hardware, EncoderReport encoders, TwoPassStats? stats, PassProgress pass)
    {
        var token = cts.Token;
        using var muxer = new MediaMuxer(output.TempPath, output.MuxerFormat);
        var videoSpec = new VideoEncoderSpec(scene.Width, scene.Height, scene.FrameRateNum, scene.Encode, muxer.NeedsGlobalHeader, encoderThreads) { FpsDen = scene.FrameRateDen };
        if (stats is not null) videoSpec = videoSpec with { Pass = EncodePass.Second, Stats = stats };
        using var video = VideoEncoder.Open(videoSpec, hardware, out encoders.HardwareFallback);
        using var audio = new AudioEncoder(AudioPlan.SampleRate, scene.Audio.BitRate, muxer.NeedsGlobalHeader, AudioEncoder.ForContainer(output.MuxerFormat));
        encoders.Video = video.EncoderName;
        encoders.Audio = audio.Name;
        long totalSamples = scene.SamplesBefore(scene.FrameCount, AudioPlan.SampleRate);

        // Loudness normalisation without holding the track: an audio-only pass measures the mix,
        // then the real pass applies the gain and the true-peak limiter as it streams.
        AudioAnalysis? analysis = null;
        if (scene.Audio.HasSources && scene.Audio.Mix.Normalize)
        {
            progress?.Invoke(new RenderProgress(0, scene.FrameCount, 0, 0, "analyze-audio"));
            analysis = AudioMixer.Analyze(scene.Audio.Mix, token);
            loudness.Analysis = analysis;
        }
        else if (scene.Audio.HasSources)
        {
            analysis = AudioAnalysis.LimitOnly;
        }
        using var music = new AudioMixer(scene.Audio.Mix, analysis, token);
        muxer.AddVideo(video.Context, video.TimeBase, scene.Encode.DisplayRotation);
        muxer.AddAudio(audio.Context, audio.TimeBase);
        muxer.Start();
        return EncodeFrames(scene, muxer, video, audio, music, muxer, progress, cts, sprites, loudness, totalSamples, pass);
    }

    /// <summary>
    /// Renders every frame and encodes it into <paramref name="videoSink"/>; with an audio
    /// encoder, also the matching audio, muxed into <paramref name="muxer"/>, which it finishes.
    /// </summary>
    private static StageTimes EncodeFrames(Scene scene, IPacketSink videoSink, VideoEncoder video, AudioEncoder? audio, AudioMixer? music, MediaMuxer? muxer,
        Action<RenderProgress>? progress, CancellationTokenSource cts, SpriteCounts sprites, LoudnessReport loudness, long totalSamples, PassProgress pass)
    {
        using var converter = new FrameConverter(scene.Width, scene.Height);
        // Converted frames circulate between the render thread (which draws into one BGRA
        // surface and converts into a free slot) and this thread (which encodes the slot and
        // keeps the last one, to send again when the next frame is the same picture).
        var yuv = new AvFrameHandle[PoolSize];
        using var pool = new FramePool(FrameRenderer.FrameInfo(scene), 1);
        using var free = new BlockingCollection<int>(PoolSize);
        using var ready = new BlockingCollection<(int Frame, int Slot)>(PoolSize);
        try
        {
            for (int i = 0; i < PoolSize; i++)
            {
                yuv[i] = converter.AllocateFrame();
                free.Add(i);
            }
            return EncodeFrames(scene, videoSink, video, audio, music, muxer, converter, yuv, pool, free, ready, progress, cts, sprites, loudness, totalSamples, pass);
        }
        finally
        {
            foreach (var f in yuv) f?.Dispose();
        }
    }

    private static StageTimes EncodeFrames(
        Scene scene, IPacketSink videoSink, VideoEncoder video, AudioEncoder? audio, AudioMixer? music, MediaMuxer? muxer, FrameConverter converter,
        AvFrameHandle[] yuv, FramePool pool, BlockingCollection<int> free, BlockingCollection<(int Frame, int Slot)> ready,
        Action<RenderProgress>? progress, CancellationTokenSource cts, SpriteCounts sprites, LoudnessReport loudness, long totalSamples, PassProgress pass)
    {
        var token = cts.Token;
        bool reuseStaticFrames = ReuseStaticFrames;
        int reused = 0;
        double convertMs = 0;

        double renderMs = 0;
        Exception? renderError = null;
        var renderThread = new Thread(() =>
        {
            var sw = new Stopwatch();
            try
            {
                using var renderer = new FrameRenderer(scene);
                bool passThrough = renderer.PassThrough;
                var previous = new List<double>(64);
                var current = new List<double>(64);
                bool previousCaptured = false;
                for (int f = 0; f < scene.FrameCount; f++)
                {
                    // A frame whose state equals the previous one's is the same picture: the
                    // encoder gets the previous converted frame again (most of a story holds still).
                    bool captured = reuseStaticFrames && renderer.CaptureState(scene.FrameTimeMs(f), current);
                    if (captured && previousCaptured && CollectionsMarshal.AsSpan(current).SequenceEqual(CollectionsMarshal.AsSpan(previous)))
                    {
                        reused++;
                        ready.Add((f, SameAsPrevious), token);
                        continue;
                    }
                    (previous, current) = (current, previous);
                    previousCaptured = captured;
                    int slot = free.Take(token);
                    if (passThrough)
                    {
                        sw.Restart();
                        AvCheck.Ok(LibAv.av_frame_make_writable(yuv[slot].Ptr), ErrorCodes.Encode, "video frame");
                        renderer.WriteYuv(scene.FrameTimeMs(f), yuv[slot].Ptr);
                        convertMs += sw.Elapsed.TotalMilliseconds;
                        ready.Add((f, slot), token);
                        continue;
                    }
                    sw.Restart();
                    var canvas = pool.Surface(0).Canvas;
                    renderer.Render(canvas, scene.FrameTimeMs(f));
                    canvas.Flush();
                    renderMs += sw.Elapsed.TotalMilliseconds;
                    sw.Restart();
                    AvCheck.Ok(LibAv.av_frame_make_writable(yuv[slot].Ptr), ErrorCodes.Encode, "video frame");
                    converter.Convert(pool.Pixels(0), pool.RowBytes, yuv[slot].Ptr);
                    convertMs += sw.Elapsed.TotalMilliseconds;
                    ready.Add((f, slot), token);
                }
                ready.CompleteAdding();
                sprites.Hits = renderer.SpriteHits;
                sprites.Misses = renderer.SpriteMisses;
                sprites.ReusedFrames = reused;
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                renderError = e;
                cts.Cancel();
            }
        })
        { Name = "reelspeed-render", IsBackground = true };
        renderThread.Start();

        var audioL = new float[audio?.FrameSize ?? 0];
        var audioR = new float[audio?.FrameSize ?? 0];
        double encodeMs = 0, audioMs = 0, muxMs = 0;
        int lastSlot = -1;
        var sw = new Stopwatch();
        var clock = Stopwatch.StartNew();
        long lastReport = -ProgressIntervalMs;
        bool consumedAll = false;

        try
        {
            foreach (var (frame, slot) in ready.GetConsumingEnumerable(token))
            {
                sw.Restart();
                // x264 copies the picture it is given, so the slot is free again once sent; the
                // last one is kept to be sent again for a frame that is the same picture.
                int send = slot == SameAsPrevious ? lastSlot : slot;
                var f = yuv[send].Ptr;
                LibAv.Field<long>(f, AvLayout.Frame.Pts) = frame;
                video.Encode(f, videoSink);
                if (slot != SameAsPrevious)
                {
                    if (lastSlot >= 0) free.Add(lastSlot, token);
                    lastSlot = slot;
                }
                encodeMs += sw.Elapsed.TotalMilliseconds;

                if (audio is not null)
                {
                    sw.Restart();
                    long audioTarget = scene.SamplesBefore(frame + 1, AudioPlan.SampleRate);
                    EncodeAudioUntil(audio, music!, audioTarget, totalSamples, audioL, audioR, muxer!, loudness, flushPartial: false);
                    audioMs += sw.Elapsed.TotalMilliseconds;
                }

                if (progress is not null && clock.ElapsedMilliseconds - lastReport >= ProgressIntervalMs)
                {
                    lastReport = clock.ElapsedMilliseconds;
                    int done = frame + 1;
                    double fps = done / Math.Max(1e-6, clock.Elapsed.TotalSeconds);
                    int overall = pass.FrameOffset + done;
                    progress(new RenderProgress(overall, pass.TotalFrames, Math.Round(fps, 1), Math.Round((pass.TotalFrames - overall) / fps * 1000), pass.Stage));
                }
            }
            consumedAll = true;
        }
        catch (OperationCanceledException) when (renderError is not null)
        {
        }
        finally
        {
            if (!consumedAll) cts.Cancel(); // stops the render thread when leaving early
            renderThread.Join();
        }
        if (renderError is not null) throw renderError is EngineException ? renderError : new EngineException(ErrorCodes.Internal, $"rendering failed: {renderError.Message}", renderError);
        token.ThrowIfCancellationRequested();

        if (audio is not null)
            progress?.Invoke(new RenderProgress(pass.FrameOffset + scene.FrameCount, pass.TotalFrames, Math.Round(scene.FrameCount / Math.Max(1e-6, clock.Elapsed.TotalSeconds), 1), 0, "finalize"));
        sw.Restart();
        video.Encode(0, videoSink);
        encodeMs += sw.Elapsed.TotalMilliseconds;
        if (audio is not null)
        {
            sw.Restart();
            EncodeAudioUntil(audio, music!, totalSamples, totalSamples, audioL, audioR, muxer!, loudness, flushPartial: true);
            audio.Flush(muxer!);
            audioMs += sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            muxer!.Finish();
            muxMs += sw.Elapsed.TotalMilliseconds;
        }
        return new StageTimes(Math.Round(renderMs, 1), Math.Round(convertMs, 1), Math.Round(encodeMs, 1), Math.Round(audioMs, 1), Math.Round(muxMs, 1));
    }

    /// <summary>Encodes whole audio frames up to <paramref name="target"/> samples; the final call also encodes the short tail.</summary>
    private static void EncodeAudioUntil(AudioEncoder audio, AudioMixer music, long target, long total, float[] l, float[] r, MediaMuxer muxer, LoudnessReport loudness, bool flushPartial)
    {
        while (true)
        {
            long pos = audio.SamplesEncoded;
            int n = (int)Math.Min(audio.FrameSize, total - pos);
            if (n <= 0) return;
            if (pos + n > target || (n < audio.FrameSize && !flushPartial)) return;
            var ls = l.AsSpan(0, n);
            var rs = r.AsSpan(0, n);
            music.Fill(ls, rs);
            loudness.Meter.Process(ls, rs);
            loudness.Peak.Process(ls, rs);
            audio.EncodeFrame(ls, rs, muxer);
        }
    }
}
