using System.Diagnostics;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// Encodes the frames a <see cref="FrameProducer"/> hands over and, for an output, the matching
/// span of the soundtrack (encoded ahead by an <see cref="AudioPump"/> on its own thread),
/// interleaved into one muxer: after frame n, audio up to the sample where frame n+1 starts. Audio
/// and video positions both derive from the frame counter, so they cannot drift. The first pass of a two-pass encode is a stitcher with no audio and no file: it only
/// feeds the encoder's analysis.
/// </summary>
internal sealed class Stitcher : IDisposable
{
    private readonly JobContext _job;
    private readonly VideoEncoder? _video;
    private readonly IPacketSink _sink;
    private readonly MediaMuxer? _muxer;
    private readonly AudioEncoder? _audio;
    private readonly InFlightQuality? _quality;
    private readonly AudioPump? _pump;
    private readonly IFrameTap? _tap;
    private readonly bool _output;
    private readonly long _firstSample;

    /// <param name="output">An output file's encode (its flush reported as the "finalize" stage).</param>
    private Stitcher(JobContext job, VideoEncoder? video, IPacketSink sink, MediaMuxer? muxer, AudioEncoder? audio, InFlightQuality? quality = null,
        IFrameTap? tap = null, bool output = false)
    {
        _job = job;
        _video = video;
        _tap = tap;
        _output = output;
        _quality = quality;
        // Only what goes into a file counts: a first pass's packets are dropped, and a two-pass render's job runs both passes.
        var counted = muxer is null ? sink : new VideoByteCount(sink, job);
        _sink = quality?.Tee(counted) ?? counted;
        _muxer = muxer;
        _audio = audio;
        _firstSample = job.Scene.SamplesBefore(job.Range.Start, AudioPlan.SampleRate);
        if (audio is not null)
        {
            // Reported here, in order; the measurement itself runs on the pump's thread beside the first frames.
            bool analyze = job.Scene.Audio.HasSources && job.Scene.Audio.Mix.Normalize;
            if (analyze) job.Progress.Stage("analyze-audio");
            _pump = new AudioPump(job, audio, () => Normalization(job));
        }
    }

    /// <summary>
    /// The first pass of a two-pass encode: the encoder writes its statistics, packets go to <paramref name="sink"/>
    /// (dropped by default). <paramref name="crf"/> makes it a constant-quality pass (libx264). <paramref name="tap"/> sees each
    /// picture before the encoder. With <see cref="JobOptions.Quality"/> the pass's own packets are decoded and scored as they come
    /// (<see cref="InFlightQuality"/>): a first pass is a real encode at the rate, and optimizeVideo compares sizes by it.
    /// </summary>
    public static Stitcher ForAnalysis(JobContext job, TwoPassStats stats, int? crf = null, IPacketSink? sink = null, IFrameTap? tap = null)
    {
        // No global header, as the ffmpeg CLI's pass 1 (into its null muxer) has none: x264 then counts its headers and its
        // options SEI (~700 bytes) in the first frame's statistics as the CLI's do, and pass 2 follows the CLI's plan. With
        // them global, the first frame's cost shifts and x264's rate control takes another path: a grain clip at 784 kbit/s
        // then came 3.5 % over in pass 2, where the CLI's two-pass landed +0.3 % (and did the same given such a pass 1).
        var spec = FirstPassSpec(job.Scene, job.Options, stats, crf);
        var video = VideoEncoder.Open(spec, job.Options.Hardware, out _);
        try
        {
            var quality = job.Options.Quality is { } probe ? new InFlightQuality(video, probe.Options, job.Token, probe.FrameSsim, probe) : null;
            return new Stitcher(job, video, sink ?? new NullPacketSink(), null, null, quality, tap: tap);
        }
        catch
        {
            video.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The encode into <paramref name="output"/>'s temporary file, with the audio (second pass when <paramref name="stats"/> are given):
    /// a silent track when the scene has no sound, unless its composition asks for none (<see cref="Composition.SilentTrack"/>).
    /// </summary>
    public static Stitcher ForOutput(JobContext job, OutputFile output, TwoPassStats? stats)
    {
        var scene = job.Scene;
        MediaMuxer? muxer = null;
        VideoEncoder? video = null;
        AudioEncoder? audio = null;
        InFlightQuality? quality = null;
        try
        {
            muxer = new MediaMuxer(output.TempPath, output.MuxerFormat);
            var spec = VideoSpec(job, muxer.NeedsGlobalHeader);
            if (stats is not null) spec = spec with { Pass = EncodePass.Second, Stats = stats };
            video = VideoEncoder.Open(spec, job.Options.Hardware, out var fallback);
            job.HardwareFallback = fallback;
            job.VideoEncoder = video.EncoderName;
            muxer.AddVideo(video.Context, video.TimeBase, scene.Encode.DisplayRotation);
            if (scene.Audio.HasSources || scene.Composition is not { SilentTrack: false })
            {
                audio = new AudioEncoder(AudioPlan.SampleRate, scene.Audio.BitRate, muxer.NeedsGlobalHeader, AudioEncoder.ForContainer(output.MuxerFormat));
                job.AudioEncoder = audio.Name;
                muxer.AddAudio(audio.Context, audio.TimeBase);
            }
            muxer.Start();
            if (job.Options.Quality is { } probe) quality = new InFlightQuality(video, probe.Options, job.Token);
            return new Stitcher(job, video, muxer, muxer, audio, quality, output: true);
        }
        catch
        {
            quality?.Dispose();
            audio?.Dispose();
            video?.Dispose();
            muxer?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A chunk of a distributed render into <paramref name="output"/>: the range's frames alone, no
    /// audio, from libx264 in software whatever the hardware policy, so every chunk of a render
    /// carries the same parameter sets (the encoder settings are the scene's, the same for every
    /// chunk; x264's GOPs are closed and its first frame is an IDR) and the chunks join without
    /// re-encoding (<see cref="ChunkStitch"/>).
    /// </summary>
    public static Stitcher ForChunk(JobContext job, OutputFile output)
    {
        MediaMuxer? muxer = null;
        VideoEncoder? video = null;
        try
        {
            muxer = new MediaMuxer(output.TempPath, output.MuxerFormat);
            video = new VideoEncoder(VideoSpec(job, muxer.NeedsGlobalHeader), VideoEncoder.SoftwareEncoder(job.Scene.Encode.Codec));
            job.VideoEncoder = video.EncoderName;
            muxer.AddVideo(video.Context, video.TimeBase, job.Scene.Encode.DisplayRotation);
            muxer.Start();
            return new Stitcher(job, video, muxer, muxer, null);
        }
        catch
        {
            video?.Dispose();
            muxer?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The whole soundtrack alone into <paramref name="output"/> (see <see cref="RunSoundtrack"/>):
    /// the same mix, normalisation and audio frames as a full render's, so the same packets.
    /// </summary>
    public static Stitcher ForSoundtrack(JobContext job, OutputFile output)
    {
        MediaMuxer? muxer = null;
        AudioEncoder? audio = null;
        try
        {
            muxer = new MediaMuxer(output.TempPath, output.MuxerFormat);
            audio = new AudioEncoder(AudioPlan.SampleRate, job.Scene.Audio.BitRate, muxer.NeedsGlobalHeader, AudioEncoder.ForContainer(output.MuxerFormat));
            job.AudioEncoder = audio.Name;
            muxer.AddAudio(audio.Context, audio.TimeBase);
            muxer.Start();
            return new Stitcher(job, null, muxer, muxer, audio);
        }
        catch
        {
            audio?.Dispose();
            muxer?.Dispose();
            throw;
        }
    }

    private static VideoEncoderSpec VideoSpec(JobContext job, bool globalHeader) => VideoSpec(job.Scene, job.Options, globalHeader);

    private static VideoEncoderSpec VideoSpec(Scene s, JobOptions options, bool globalHeader) =>
        new(s.Width, s.Height, s.FrameRateNum, s.Encode, globalHeader, options.EncoderThreads) { FpsDen = s.FrameRateDen, SliceThreads = options.SliceThreads };

    /// <summary>The encoder of a first pass of <paramref name="scene"/> into <paramref name="stats"/> (in-band headers: see <see cref="ForAnalysis"/>).</summary>
    internal static VideoEncoderSpec FirstPassSpec(Scene scene, JobOptions options, TwoPassStats stats, int? crf = null) =>
        VideoSpec(scene, options, globalHeader: false) with { Pass = EncodePass.First, Stats = stats, FirstPassCrf = crf };

    /// <summary>
    /// Loudness normalisation without holding the track: an audio-only pass measures the mix, then
    /// the real pass applies the gain and the true-peak limiter as it streams (both on the pump's thread).
    /// </summary>
    private static AudioAnalysis? Normalization(JobContext job)
    {
        var audio = job.Scene.Audio;
        if (!audio.HasSources) return null;
        if (!audio.Mix.Normalize) return AudioAnalysis.LimitOnly;
        return job.Analysis = AudioMixer.Analyze(audio.Mix, job.Token);
    }

    /// <summary>
    /// Encodes every frame the producer hands over (reporting progress as <paramref name="stage"/>
    /// within <paramref name="progress"/>), then flushes the encoders and finishes the file.
    /// </summary>
    /// <summary>Whether the tap ended this stitcher's encode before the last frame (<see cref="IFrameTap.EndsMainPass"/>).</summary>
    public bool MainEnded { get; private set; }

    public void Run(FrameProducer producer, ProgressScope progress, string stage)
    {
        var token = _job.Token;
        var range = _job.Range;
        double encodeMs = 0;
        var sw = new Stopwatch();
        var clock = Stopwatch.StartNew();
        _pump?.Start();
        producer.Start();
        try
        {
            try
            {
                foreach (var (frame, picture, source) in producer.Take())
                {
                    _tap?.Frame(frame, picture, source); // before the pts: a tap may number the pictures its own way
                    if (!MainEnded && _tap is { EndsMainPass: true })
                    {
                        sw.Restart();
                        _video!.Encode(0, _sink); // the rest of the frames go to the tap alone
                        encodeMs += sw.Elapsed.TotalMilliseconds;
                        MainEnded = true;
                    }
                    if (!MainEnded)
                    {
                        sw.Restart();
                        LibAv.Field<long>(picture, AvLayout.Frame.Pts) = frame - range.Start;
                        // The reference: the decoded source frame (a pass-through picture at another size is scored scaled back to it).
                        _quality?.Source(frame - range.Start, source != 0 ? source : picture);
                        _video!.Encode(picture, _sink);
                        encodeMs += sw.Elapsed.TotalMilliseconds;
                    }
                    _pump?.WriteUntil(_job.Scene.SamplesBefore(frame + 1, AudioPlan.SampleRate) - _firstSample, _muxer!);
                    int done = frame + 1 - range.Start;
                    progress.Frames(stage, done, range.Count, done / Math.Max(1e-6, clock.Elapsed.TotalSeconds));
                }
            }
            catch (OperationCanceledException) when (producer.Failed || _pump is { Failed: true })
            {
            }
            finally
            {
                producer.Finish(); // rethrows a rendering failure
            }
            token.ThrowIfCancellationRequested();

            if (_output) progress.Stage("finalize");
            sw.Restart();
            if (!MainEnded) _video!.Encode(0, _sink);
            encodeMs += sw.Elapsed.TotalMilliseconds;
            if (_quality is not null) _job.Options.Quality!.Result = _quality.Complete();
            _pump?.WriteUntil(long.MaxValue, _muxer!);
        }
        catch (OperationCanceledException) when (_pump is { Failed: true })
        {
        }
        finally
        {
            // Counted however the encode ends: a first pass cut early (EarlyStuckWatch) is absorbed into its job's stage times.
            _job.Stages += new StageTimes(0, 0, encodeMs, 0, 0);
            _pump?.Finish(); // rethrows an audio failure
        }
        token.ThrowIfCancellationRequested();
        if (_muxer is not null)
        {
            sw.Restart();
            _muxer.Finish();
            _job.Stages += new StageTimes(0, 0, 0, 0, sw.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>
    /// Encodes the range's soundtrack with no video (a <see cref="ForSoundtrack"/> stitcher), frame
    /// by frame as <see cref="Run"/> does, reporting progress as <c>audio</c>, and finishes the file.
    /// </summary>
    public void RunSoundtrack(ProgressScope progress)
    {
        var range = _job.Range;
        var sw = Stopwatch.StartNew();
        _pump!.Start();
        try
        {
            for (int frame = range.Start; frame < range.End; frame++)
            {
                _pump.WriteUntil(_job.Scene.SamplesBefore(frame + 1, AudioPlan.SampleRate) - _firstSample, _muxer!);
                int done = frame + 1 - range.Start;
                progress.Frames("audio", done, range.Count, done / Math.Max(1e-6, sw.Elapsed.TotalSeconds));
            }
            _pump.WriteUntil(long.MaxValue, _muxer!);
        }
        catch (OperationCanceledException) when (_pump.Failed)
        {
        }
        finally
        {
            _pump.Finish(); // rethrows an audio failure
        }
        _job.Token.ThrowIfCancellationRequested();
        sw.Restart();
        _muxer!.Finish();
        _job.Stages += new StageTimes(0, 0, 0, 0, sw.Elapsed.TotalMilliseconds);
    }

    public void Dispose()
    {
        _quality?.Dispose();
        _pump?.Dispose();
        _audio?.Dispose();
        _video?.Dispose();
        _muxer?.Dispose();
    }
}

/// <summary>Counts the video packets' bytes into <see cref="JobContext.VideoBytes"/> on their way to <paramref name="inner"/>.</summary>
internal sealed class VideoByteCount(IPacketSink inner, JobContext job) : IPacketSink
{
    public void Write(nint packet, bool isVideo)
    {
        if (isVideo) job.VideoBytes += LibAv.Field<int>(packet, AvLayout.Packet.Size);
        inner.Write(packet, isVideo);
    }
}
