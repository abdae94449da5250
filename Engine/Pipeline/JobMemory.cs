using ReelSpeed.Engine.Config;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Render;
using ReelSpeed.Engine.Scenes;

namespace ReelSpeed.Engine.Pipeline;

/// <summary>
/// What a render job holds at its peak, estimated from the scene before it starts (used for
/// admission under <c>memoryLimitMb</c>): the frame buffers and x264, the cached background, the
/// clips' decoders, the message sprites and pictures that can be on screen at once, the largest
/// picture while it is decoded, the text layouts of every message, and a fixed overhead.
/// The constants were measured (scripts/memory-check.js: peak resident memory of a job in a child
/// process, for frames from 0.9 to 16.8 megapixels and 1 to 8 encoder threads); README gives the figures.
/// </summary>
public static class JobMemory
{
    /// <summary>
    /// x264 (preset veryfast) per output pixel, beyond the engine's own frames: its lookahead, reference
    /// and half-pel planes on one thread; each further thread adds its frames, and frame threading (two
    /// threads or more) its own queue. Measured 59, +7..9 a thread, +15..17 with frame threads.
    /// </summary>
    public const double EncoderBytesPerPixel = 62, EncoderBytesPerPixelPerThread = 9.5, FrameThreadingBytesPerPixel = 17;

    /// <summary>
    /// Each slice thread beyond the first (x264's per-thread context and scratch; one frame in flight whatever their number):
    /// measured 1.1 bytes a pixel at 1080x1920 (the bench story's peak 286 MiB with 2 threads, 317 with 16), 0.25 at 720x1280 and
    /// 2160x3840 (x264 alone); counted 1.5.
    /// </summary>
    public const double SliceThreadBytesPerPixel = 1.5;

    /// <summary>Libraries' buffers, the muxer, audio and the GC heap's slack, measured on the smallest frames.</summary>
    public const long FixedOverheadBytes = 24L << 20;

    /// <summary>A laid-out character (its glyphs, positions and clusters, and its text blob), for every message: measured ~70 on 500 messages of 2,000 characters.</summary>
    public const long TextBytesPerChar = 80;

    /// <summary>
    /// The model above meets the measured peaks within about 10 % either way; the estimate is the
    /// model plus this headroom, so a job admitted under <c>memoryLimitMb</c> does not pass it.
    /// </summary>
    public const double Headroom = 1.10;

    /// <summary>Decoded frames a clip's decoder holds with frame threading: about one per thread plus its references.</summary>
    public const int DecoderFramesPerThread = 2;

    /// <summary>
    /// The clips of a processing scene: at most two decode at once (during a transition), each
    /// holding its decoded frames (in the source's size, one per decoder thread and references,
    /// counted at 2 bytes a pixel for 10-bit 4:2:0) and a BGRA frame of the output; a custom
    /// transition adds two frame buffers, and a decode log its staging frame.
    /// </summary>
    private static long Clips(Scene scene, long bgra)
    {
        if (scene.Composition is not { } c) return 0;
        int threads = c.LowMemory ? 1 : Environment.ProcessorCount;
        // Without a clip (overlays over effects.background) nothing decodes but a background video, counted as one output-sized clip.
        long largest = c.Clips.Count == 0 ? (long)scene.Width * scene.Height : c.Clips.Max(k => (long)k.SourceWidth * k.SourceHeight);
        long perClip = Decoder(largest, threads) + bgra;
        long open = Math.Min(2, c.Clips.Count) * perClip;
        long backdrop = c.Backdrop is null ? 0 : bgra + (c.Backdrop.Kind == BackgroundKind.Video ? perClip : 0);
        return open + backdrop + (c.Transition?.Kind == TransitionKind.Custom ? 2 * bgra : 0) + DecodeLogStaging(scene);
    }

    /// <summary>
    /// Where the input's decoded frames may be kept for the later passes (<see cref="RenderJob.MayKeepDecodeLog"/>), the frame they are
    /// copied through to and from the file: one of the clip's, 8-bit 4:2:0 (the only frames kept).
    /// </summary>
    private static long DecodeLogStaging(Scene scene)
    {
        if (!RenderJob.MayKeepDecodeLog(scene)) return 0;
        var clip = scene.Composition!.Clips[0];
        return (long)clip.SourceWidth * clip.SourceHeight * 3 / 2;
    }

    /// <summary>A video decoder's frames: in the source's size, one per decoder thread and references, at 2 bytes a pixel (10-bit 4:2:0).</summary>
    private static long Decoder(long sourcePixels, int threads) => sourcePixels * 3 * (threads * DecoderFramesPerThread + 2);

    /// <summary>A chat story's background clip: its decoder (on every core) in the source's size, read from the file (the output's size if it cannot be).</summary>
    private static long BackgroundClip(string path, long outputPixels)
    {
        long source = outputPixels;
        try
        {
            var video = MediaProbe.Probe(path).Streams.FirstOrDefault(s => s.Type == "video" && s.Width > 0);
            if (video is not null) source = (long)video.Width * video.Height;
        }
        catch (EngineException)
        {
            // the renderer reports the file with its field
        }
        return Decoder(source, Environment.ProcessorCount);
    }

    /// <summary>The peak of a render job (processVideo, optimizeVideo) on this machine, with the encoder on every core.</summary>
    public static long Estimate(Scene scene) => Estimate(scene, Environment.ProcessorCount);

    /// <summary>
    /// The peak of a render job whose encoder runs <paramref name="encoderThreads"/> threads, side by side on several frames or,
    /// with <paramref name="sliceThreads"/>, each on a slice of one frame.
    /// </summary>
    public static long Estimate(Scene scene, int encoderThreads, bool sliceThreads = false)
    {
        long pixels = (long)scene.Width * scene.Height;
        long bgra = pixels * 4;
        long yuv = pixels * 3 / 2;
        long frames = bgra + FrameProducer.RingSize * yuv + (long)(pixels * EncoderPerPixel(encoderThreads, sliceThreads));
        return WithHeadroom(frames + Drawing(scene, bgra) + FixedOverheadBytes);
    }

    /// <summary>
    /// How a render job (processVideo, renderChunk; optimizeVideo: <see cref="AdmitOptimize"/>) is admitted: with x264's threads
    /// on several frames at once, or on slices of one frame (<see cref="JobOptions.SliceThreads"/>: one frame in flight instead of
    /// a pipeline of them, counted as one thread's frames and each further thread's context; measured 22–25 bytes a pixel less
    /// than two frame threads, from 720x1280 to 2160x3840). Slice threads are used where the engine's <paramref name="threads"/> policy prefers them
    /// (<see cref="PrefersSlices"/>), and otherwise where only they fit the engine's memory limit (<paramref name="limitBytes"/>,
    /// 0: none), which the result then says (<see cref="Admission.Note"/>). Both estimates count a thread per core; a job that
    /// starts beside others gets fewer, and with one x264 has no slices to split (<see cref="Admission.JobOptionsWith"/>). The
    /// operator decides it, not a config: the spec's integration layer sends every render with
    /// <c>optimization.memory_optimization</c> set, which keeps its meaning (clips decoded on one thread).
    /// </summary>
    /// <param name="x264">Whether the job may encode with libx264 (false where a hardware encoder is required).</param>
    public static Admission Admit(Scene scene, long limitBytes, X264Threads threads, bool x264 = true, int cores = 0) =>
        Admit(scene, slices => Estimate(scene, Environment.ProcessorCount, slices), limitBytes, threads, x264, Cores(cores));

    /// <summary>optimizeVideo's admission (<see cref="EstimateOptimize"/>), as <see cref="Admit(Scene, long, X264Threads, bool, int)"/>: every x264 of the job alike.</summary>
    public static Admission AdmitOptimize(Scene scene, bool measureQuality, long besidePixels, long limitBytes, X264Threads threads, bool x264 = true, int cores = 0) =>
        Admit(scene, slices => EstimateOptimize(scene, measureQuality, besidePixels, slices), limitBytes, threads, x264, Cores(cores));

    private static int Cores(int cores) => cores > 0 ? cores : Environment.ProcessorCount;

    private static Admission Admit(Scene scene, Func<bool, long> estimate, long limitBytes, X264Threads threads, bool x264, int cores)
    {
        long frameThreads = estimate(false);
        if (!x264 || scene.Encode.Codec != EncodeSettings.H264) return new(frameThreads, false, frameThreads);
        bool preferred = PrefersSlices(scene, threads, cores);
        if (!preferred && (limitBytes <= 0 || frameThreads <= limitBytes)) return new(frameThreads, false, frameThreads);
        long sliceThreads = estimate(true);
        bool sliced = sliceThreads < frameThreads; // not on one core: one thread either way
        return new(Math.Min(sliceThreads, frameThreads), sliced, frameThreads) { ForLimit = sliced && !preferred };
    }

    /// <summary>
    /// Whether a job encoding with libx264 takes slice threads before any memory limit asks: always under
    /// <see cref="X264Threads.Slices"/>; under <see cref="X264Threads.Auto"/>, a job that decodes no video (a chat story without a
    /// video background) on at most two cores. There they measured 0–6 % of wall time more than frame threads (more where the chat
    /// moves more) and ~50 MB less peak memory at 1080x1920, for ~4.5 % more video bytes at the same crf (SSIM −0.00003); each
    /// slice costs bytes (one per thread: +9.6 % at four, +18 % at eight, measured), and beside a video decode they cost up to
    /// 18 % of wall time.
    /// </summary>
    public static bool PrefersSlices(Scene scene, X264Threads threads, int cores) => threads switch
    {
        X264Threads.Slices => true,
        X264Threads.Auto => cores <= 2 && !DecodesVideo(scene),
        _ => false,
    };

    /// <summary>Whether the job decodes video: a processing config's clips or background video, or a chat story's video background.</summary>
    public static bool DecodesVideo(Scene scene) =>
        scene.Composition is { } c ? c.Clips.Count > 0 || c.Backdrop?.Kind == BackgroundKind.Video : scene.Chat is { } chat && BackgroundVideo(chat) is not null;

    /// <summary>The clip a chat story's background plays (decoded frame by frame, as <c>ChatPainter</c> does), or null.</summary>
    private static string? BackgroundVideo(ChatContent chat) =>
        chat.Background is { Kind: BackgroundKind.Video, GreenScreen: false, MediaPath: { } clip } ? clip : null;

    /// <summary>
    /// A render job's admission: the bytes it is admitted with, whether x264 runs slice threads (and whether only to fit the
    /// memory limit: <see cref="ForLimit"/>), and its estimate with frame threads (the same bytes where it does not).
    /// </summary>
    public readonly record struct Admission(long Bytes, bool SliceThreads, long FrameThreadsBytes)
    {
        /// <summary>Slice threads were counted only because frame threads would not fit the memory limit (the job says so).</summary>
        public bool ForLimit { get; init; }

        /// <summary>
        /// The job's options with slice threads where admitted with them and x264 gets more than one thread (with one, x264 has
        /// nothing to split and encodes as it would anyway); <see cref="Note"/> only then.
        /// </summary>
        public JobOptions JobOptionsWith(JobOptions options) => options with { SliceThreads = SliceThreads && options.EncoderThreads > 1 };

        /// <summary>What a refusal adds after the bytes: that slice threads were counted, and the frame threads' figure.</summary>
        public string? RefusalDetail => SliceThreads ? $" even with x264's threads on slices of one frame (about {JobScheduler.Mb(FrameThreadsBytes)} MB with its frame threads)" : null;

        /// <summary>The result's warning where a job ran with <paramref name="options"/> (from <see cref="JobOptionsWith"/>) and encoded with <paramref name="encoder"/>.</summary>
        public string? NoteFor(JobOptions options, string encoder) => options.SliceThreads && encoder == Media.VideoEncoder.SoftwareEncoder(EncodeSettings.H264) ? Note : null;

        /// <summary>The warning where slice threads were chosen to fit the memory limit.</summary>
        public string? Note => SliceThreads && ForLimit
            ? $"memoryLimitMb: x264 encoded with its threads on slices of one frame instead of on several frames at once, so that the job fits the engine's memoryLimitMb (about {JobScheduler.Mb(Bytes)} MB instead of {JobScheduler.Mb(FrameThreadsBytes)} MB): slower, and a little larger at the same quality (one slice per thread)"
            : null;
    }

    /// <summary>
    /// Source pictures an in-flight quality measurement (optimizeVideo's final pass, see
    /// <c>Media.InFlightQuality</c>) keeps referenced while x264 still holds their frames (its
    /// lookahead, B-frame and frame-thread delay) and until the decoder has returned them: measured
    /// ~50 frames with 2 cores at 540x960 (40 MB) and 1080x1920 (150 MB); counted as 40 plus 5 per
    /// encoder thread.
    /// </summary>
    public const int InFlightHeldFramesBase = 40, InFlightHeldFramesPerThread = 5;

    /// <summary>
    /// x264's bytes per pixel with <paramref name="encoderThreads"/> threads, on several frames at once or, with
    /// <paramref name="sliceThreads"/>, on slices of one frame (one thread's frames, and each further thread's context).
    /// </summary>
    private static double EncoderPerPixel(int encoderThreads, bool sliceThreads)
    {
        int threads = Math.Max(1, encoderThreads);
        if (sliceThreads) return EncoderBytesPerPixel + EncoderBytesPerPixelPerThread + SliceThreadBytesPerPixel * (threads - 1);
        return EncoderBytesPerPixel + EncoderBytesPerPixelPerThread * threads + (threads > 1 ? FrameThreadingBytesPerPixel : 0);
    }

    /// <summary>
    /// The peak of optimizeVideo's encode of <paramref name="scene"/>: a render job, plus the pictures an in-flight quality
    /// measurement holds (the output's, and the size decision's first passes'), plus, while the first passes decide the size,
    /// the smaller size's x264 and picture running beside the full size's (<paramref name="besidePixels"/>: its pixel count, 0 when none).
    /// </summary>
    public static long EstimateOptimize(Scene scene, bool measureQuality, long besidePixels = 0, bool sliceThreads = false)
    {
        int threads = OptimizeEncoderThreads(scene, Environment.ProcessorCount, sliceThreads);
        long job = Estimate(scene, threads, sliceThreads);
        long yuv = (long)scene.Width * scene.Height * 3 / 2;
        int held = InFlightHeldFramesBase + InFlightHeldFramesPerThread * Environment.ProcessorCount;
        long scored = measureQuality || besidePixels > 0 ? WithHeadroom(held * yuv) : 0;
        long beside = besidePixels > 0 ? WithHeadroom((long)(besidePixels * EncoderPerPixel(threads, sliceThreads)) + besidePixels * 3 / 2) : 0;
        return job + scored + beside;
    }

    /// <summary>
    /// The encoder threads of optimizeVideo's encodes given <paramref name="cores"/> (the job's share of the machine's): for libx264 on
    /// frames, x264's own 1.5 a core, as the ffmpeg CLI's two-pass runs it; otherwise one a core, as renders run. A render's x264 at
    /// veryfast was as fast with one a core and holds fewer frames, but at optimizeVideo's medium preset, with the input decoded beside
    /// it, the extra thread fills the cores: a 30 s 1080x1920 clip at 12 Mbit/s to 4 MB on 2 cores took 46.5–46.9 s with 2 threads and
    /// 44.1–45.2 s with 3 (its encode 25.3–26.3 → 24.3 s), at 34–44 MB more peak; the CLI's second pass there 23.9 s with 2, 22.7 s with 3.
    /// Slice threads stay one a core (more were no faster, and each slice costs bytes).
    /// </summary>
    public static int OptimizeEncoderThreads(Scene scene, int cores, bool sliceThreads) =>
        !sliceThreads && scene.Encode.Codec == EncodeSettings.H264 ? Math.Max(1, cores * 3 / 2) : Math.Max(1, cores);

    /// <summary>The peak of drawing one frame (renderFrame): the frame, and what the scene draws with.</summary>
    public static long EstimateFrame(Scene scene)
    {
        long bgra = (long)scene.Width * scene.Height * 4;
        return WithHeadroom(bgra + Drawing(scene, bgra) + FixedOverheadBytes);
    }

    private static long WithHeadroom(long bytes) => (long)(bytes * Headroom);

    private static long Drawing(Scene scene, long bgra) => Chat(scene, bgra) + Clips(scene, bgra);

    /// <summary>
    /// A chat story's own memory: the cached background (and an image background's picture, kept at
    /// the size it is drawn at), the background clip's frames, the chat layer when it is translucent,
    /// the header, the sprites and pictures of the messages that can be on screen at once (others are
    /// freed as they scroll away), the largest picture while it decodes, and every message's text layout.
    /// A composition's background is one colour, drawn without a cached frame.
    /// </summary>
    private static long Chat(Scene scene, long bgra)
    {
        if (scene.Chat is not { } chat) return bgra;
        var bg = chat.Background;
        var pictures = new PictureSizes();
        long background = bgra;
        if (BackgroundVideo(chat) is { } clip)
            background += (long)(bg.MediaRect.Width * bg.MediaRect.Height * 4) * 2 + BackgroundClip(clip, bgra / 4);
        if (bg.Kind == BackgroundKind.Image && bg.MediaPath is { } image) background += pictures.Kept(image, bg.MediaRect.Width, bg.MediaRect.Height);
        long layer = chat.ChatOpacity < 1 ? bgra : 0;
        long header = 0;
        if (chat.Header is { } h)
        {
            header = Bytes(h.Bounds.Width, h.Bounds.Bottom - h.BackgroundTop);
            if (h.AvatarPath is { } avatar) header += pictures.Kept(avatar, h.AvatarRect.Width, h.AvatarRect.Height);
        }

        // Message avatars are shared by path and kept; sprites and message pictures only while on screen.
        long avatars = 0, text = 0;
        var seenAvatars = new HashSet<string>(StringComparer.Ordinal);
        var cost = new long[chat.Bubbles.Count];
        for (int i = 0; i < chat.Bubbles.Count; i++)
        {
            var b = chat.Bubbles[i];
            int m = MessagePainter.Margin(b);
            cost[i] = Bytes(MathF.Ceiling(b.Bounds.Width) + 2 * m, MathF.Ceiling(b.Bounds.Height) + 2 * m);
            if (b.Picture is { } pic) cost[i] += pictures.Kept(pic.Path, pic.Rect.Width, pic.Rect.Height);
            if (b.Avatar is { Path: { } path } av && seenAvatars.Add(path)) avatars += pictures.Kept(path, av.Rect.Width, av.Rect.Height);
            text += (b.Text.Length + (b.Label is null ? 0 : 16)) * TextBytesPerChar;
        }
        long onScreen = OnScreen(chat, cost);
        return background + layer + header + avatars + onScreen + pictures.LargestDecode + text;
    }

    /// <summary>
    /// The most sprite bytes drawn in one frame. Messages stack top-down, so the topmost message i
    /// that a frame shows and every other one it shows start within a window's height below i's
    /// bottom; the window is the chat area plus the slide distance and the sprites' margins.
    /// </summary>
    private static long OnScreen(ChatContent chat, long[] cost)
    {
        var bubbles = chat.Bubbles;
        if (bubbles.Count == 0) return 0;
        float slide = bubbles.Max(b => Math.Abs(b.Animation.SlideDistance));
        float margins = 2 * bubbles.Max(b => MessagePainter.Margin(b));
        float window = chat.ClipBottom - chat.Viewport.Top + slide + margins;
        long best = 0, sum = 0;
        int end = 0;
        for (int i = 0; i < bubbles.Count; i++)
        {
            if (end < i)
            {
                end = i;
                sum = 0;
            }
            float limit = bubbles[i].Bounds.Bottom + window;
            while (end < bubbles.Count && bubbles[end].Bounds.Top <= limit) sum += cost[end++];
            best = Math.Max(best, sum);
            sum -= cost[i];
        }
        return best;
    }

    private static long Bytes(float width, float height) => (long)Math.Max(1, MathF.Ceiling(width)) * (long)Math.Max(1, MathF.Ceiling(height)) * 4;

    /// <summary>Pictures' sizes read from their headers (once each): what is kept at a drawn size, and the largest full decode.</summary>
    private sealed class PictureSizes
    {
        private readonly Dictionary<string, (int W, int H)> _sizes = new(StringComparer.Ordinal);

        public long LargestDecode { get; private set; }

        public long Kept(string path, float drawnWidth, float drawnHeight)
        {
            if (!_sizes.TryGetValue(path, out var size))
            {
                try
                {
                    size = ImageLoader.ReadSize(path, "picture");
                }
                catch (EngineException)
                {
                    size = (0, 0); // the renderer reports it with its field; nothing is decoded
                }
                _sizes[path] = size;
            }
            if (size.W == 0) return 0;
            LargestDecode = Math.Max(LargestDecode, ImageLoader.DecodeBytes(size.W, size.H));
            var (w, h) = ImageLoader.KeptSize(size.W, size.H, (int)MathF.Ceiling(drawnWidth), (int)MathF.Ceiling(drawnHeight));
            return (long)w * h * 4;
        }
    }
}
