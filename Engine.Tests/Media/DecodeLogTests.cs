using System.Security.Cryptography;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// <see cref="DecodeLog"/>: the first decoder of an input records its frames, later ones read them back bit for bit (planes,
/// times, colour description) instead of decoding; anything but a forward read from the start abandons the recording.
/// </summary>
public unsafe class DecodeLogTests
{
    private string _dir = "";
    private string _clip = "", _other = "", _yuv444 = "";
    private List<string> _decoded = new();

    [OneTimeSetUp]
    public void MakeFixtures()
    {
        _dir = TestSupport.OnDiskTempDir();
        // Lossy, with B-frames and an odd size (chroma planes of (w+1)/2), keyframes every second, BT.709 limited range tagged.
        _clip = Path.Combine(_dir, "clip.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=161x285:r=25:d=3", "-c:v", "libx264", "-crf", "30", "-g", "25", "-pix_fmt", "yuv420p",
            "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv", _clip);
        _other = VideoFixtures.Numbered(Path.Combine(_dir, "other.mp4"), 25, 1, VideoFixtures.H264Lossless);
        _yuv444 = Path.Combine(_dir, "yuv444.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=1", "-c:v", "libx264", "-crf", "30", "-pix_fmt", "yuv444p", _yuv444);
        using var plain = new VideoDecoder(_clip, "inputPath");
        _decoded = ReadAll(plain);
    }

    [OneTimeTearDown]
    public void RemoveFixtures() => Directory.Delete(_dir, recursive: true);

    /// <summary>Each frame as a digest of its time, size, format, colour description, aspect and planes (rows only, not the padding).</summary>
    private static unsafe string Digest(nint f, double ptsMs)
    {
        int w = LibAv.Field<int>(f, AvLayout.Frame.Width), h = LibAv.Field<int>(f, AvLayout.Frame.Height);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int p = 0; p < 3; p++)
        {
            int rowBytes = p == 0 ? w : (w + 1) / 2, rows = p == 0 ? h : (h + 1) / 2;
            int stride = LibAv.Field<int>(f, AvLayout.Frame.Linesize + 4 * p);
            byte* data = (byte*)LibAv.Field<nint>(f, AvLayout.Frame.Data + 8 * p);
            for (int y = 0; y < rows; y++) hash.AppendData(new ReadOnlySpan<byte>(data + (long)y * stride, rowBytes));
        }
        var aspect = LibAv.Field<AVRational>(f, AvLayout.Frame.SampleAspectRatio);
        return FormattableString.Invariant(
            $"{ptsMs:0.###} {w}x{h} f{LibAv.Field<int>(f, AvLayout.Frame.Format)} cs{LibAv.Field<int>(f, AvLayout.Frame.Colorspace)} r{LibAv.Field<int>(f, AvLayout.Frame.ColorRange)} p{LibAv.Field<int>(f, AvLayout.Frame.ColorPrimaries)} t{LibAv.Field<int>(f, AvLayout.Frame.ColorTrc)} sar{aspect.Num}/{aspect.Den} {Convert.ToHexString(hash.GetHashAndReset())[..16]}");
    }

    /// <summary>A frame's time, from its <see cref="Digest"/>.</summary>
    private static double PtsOf(string digest) => double.Parse(digest.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> ReadAll(VideoDecoder decoder, int max = int.MaxValue)
    {
        using var frame = AvFrameHandle.Alloc();
        var list = new List<string>();
        while (list.Count < max && decoder.ReadFrame(frame, out double ms)) list.Add(Digest(frame.Ptr, ms));
        return list;
    }

    /// <summary>A log that records any input (the fixtures decode cheaply: see the last test).</summary>
    private DecodeLog NewLog(string input, long max = DecodeLog.DefaultMaxBytes) => DecodeLog.Create(input, _dir, max, minCompressedShare: 0) ?? throw new AssertionException("no log");

    [Test]
    public void A_replay_gives_the_frames_decoding_gives_bit_for_bit_and_ends_where_the_stream_does()
    {
        Assert.That(_decoded, Has.Count.EqualTo(75));
        Assert.That(_decoded[0], Does.Contain(" cs1 r1 p1 t1 "), "the clip's colour description is in the digest");
        using var log = NewLog(_clip);
        List<string> recorded;
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log)) recorded = ReadAll(recorder);
        Assert.That(recorded, Is.EqualTo(_decoded), "recording does not change what the decoder gives");
        Assert.That((log.CanReplay, log.Frames, log.ReachedEnd, log.AbandonedBecause), Is.EqualTo((true, 75, true, (string?)null)));
        for (int round = 0; round < 2; round++)
        {
            using var replay = new VideoDecoder(_clip, "inputPath", log: log);
            Assert.That(ReadAll(replay), Is.EqualTo(_decoded), $"replay {round}");
            using var frame = AvFrameHandle.Alloc();
            Assert.That(replay.ReadFrame(frame, out _), Is.False, "stays at the end");
        }
        Assert.That(log.Replayed, Is.EqualTo(150));
        Assert.That(Directory.GetFiles(_dir, "reelspeed-frames-*"), Is.Empty, "the file is unlinked as soon as it is made");
    }

    [Test]
    public void A_replay_keeps_frames_another_holder_references_and_reuses_the_buffer_otherwise()
    {
        using var log = NewLog(_clip);
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log)) ReadAll(recorder);
        using var replay = new VideoDecoder(_clip, "inputPath", log: log);
        using var frame = AvFrameHandle.Alloc();
        Assert.That(replay.ReadFrame(frame, out double first), Is.True);
        nint kept = LibAv.av_frame_clone(frame.Ptr); // an in-flight measurement holds the picture
        try
        {
            Assert.That(replay.ReadFrame(frame, out double second), Is.True);
            Assert.That(Digest(kept, first), Is.EqualTo(_decoded[0]), "the referenced frame is not overwritten");
            Assert.That(Digest(frame.Ptr, second), Is.EqualTo(_decoded[1]));
            nint data = LibAv.Field<nint>(frame.Ptr, AvLayout.Frame.Data);
            Assert.That(replay.ReadFrame(frame, out double third), Is.True);
            Assert.That(LibAv.Field<nint>(frame.Ptr, AvLayout.Frame.Data), Is.EqualTo(data), "an unshared buffer is written again");
            Assert.That(Digest(frame.Ptr, third), Is.EqualTo(_decoded[2]));
        }
        finally
        {
            LibAv.av_frame_free(&kept);
        }
    }

    [Test]
    public void A_replay_past_a_recording_that_stopped_early_decodes_the_rest_and_records_it_for_the_next()
    {
        // A first pass cut early (EarlyStuckWatch) recorded the clip's first frames only: the pass after it must not leave the log there.
        using var log = NewLog(_clip);
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log)) Assert.That(ReadAll(recorder, 30), Has.Count.EqualTo(30));
        Assert.That((log.CanReplay, log.Frames, log.ReachedEnd), Is.EqualTo((true, 30, false)));
        using (var replay = new VideoDecoder(_clip, "inputPath", log: log))
        {
            Assert.That(ReadAll(replay, 50), Is.EqualTo(_decoded.Take(50)), "30 read back, then decoded from the start with those 30 skipped (only 5 frames from the keyframe at 1 s to the 30th)");
            Assert.That(replay.WentOnFromKeyframeMs, Is.Null);
            Assert.That(log.CanReplay, Is.False, "recording the frames after the 30");
        }
        Assert.That((log.CanReplay, log.Frames, log.ReachedEnd, log.Replayed), Is.EqualTo((true, 50, false, 30L)), "stopped again: 20 more recorded");
        using (var replay = new VideoDecoder(_clip, "inputPath", log: log))
        {
            Assert.That(ReadAll(replay), Is.EqualTo(_decoded), "50 read back, the rest decoded (on from the keyframe at 1 s: 25 frames to check) and recorded");
            Assert.That(replay.WentOnFromKeyframeMs, Is.EqualTo(PtsOf(_decoded[25])), "from frame 25, the keyframe at 1 s");
        }
        Assert.That((log.Frames, log.ReachedEnd, log.Replayed), Is.EqualTo((75, true, 80L)));
        using (var replay = new VideoDecoder(_clip, "inputPath", log: log))
            Assert.That(ReadAll(replay), Is.EqualTo(_decoded), "all read back");
        Assert.That(log.Replayed, Is.EqualTo(155), "nothing decoded");
    }

    [Test]
    public void A_replay_goes_on_from_the_keyframe_before_its_last_frame_only_where_that_frame_decodes_as_recorded()
    {
        // Two encodes of different pictures with the same timing: a log of the first, read back over the second, finds the second's frame
        // at the last recorded time different, so the decode goes on from the start instead (skipping the frames read back).
        string first = Path.Combine(_dir, "first.mp4"), second = Path.Combine(_dir, "second.mp4"), input = Path.Combine(_dir, "swapped.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-c:v", "libx264", "-crf", "30", "-g", "25", "-pix_fmt", "yuv420p", first);
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3,hue=H=2", "-c:v", "libx264", "-crf", "30", "-g", "25", "-pix_fmt", "yuv420p", second);
        List<string> secondFrames;
        using (var plain = new VideoDecoder(second, "inputPath")) secondFrames = ReadAll(plain);
        File.Copy(first, input, overwrite: true);
        using var log = NewLog(input);
        List<string> recorded;
        using (var recorder = new VideoDecoder(input, "inputPath", log: log)) recorded = ReadAll(recorder, 45);
        using (var replay = new VideoDecoder(input, "inputPath", log: log))
        {
            Assert.That(ReadAll(replay), Is.EqualTo(recorded.Concat(_firstRest(first))), "the same file: on from the keyframe at 1 s");
            Assert.That(replay.WentOnFromKeyframeMs, Is.EqualTo(PtsOf(_decoded[25])), "from frame 25, the keyframe at 1 s");
        }
        using var swappedLog = NewLog(input);
        using (var recorder = new VideoDecoder(input, "inputPath", log: swappedLog)) ReadAll(recorder, 45);
        File.Copy(second, input, overwrite: true);
        using (var replay = new VideoDecoder(input, "inputPath", log: swappedLog))
        {
            Assert.That(ReadAll(replay), Is.EqualTo(recorded.Concat(secondFrames.Skip(45))), "frame 45 on decoded from the start");
            Assert.That(replay.WentOnFromKeyframeMs, Is.Null);
        }

        List<string> _firstRest(string path)
        {
            using var plain = new VideoDecoder(path, "inputPath");
            return ReadAll(plain).Skip(45).ToList();
        }
    }

    [Test]
    public void A_replay_past_a_partial_recording_of_a_stream_without_timestamps_times_its_frames_as_decoding_does()
    {
        // A raw H.264 stream has no timestamps: the decoder counts them frame by frame, and so must the decode that takes over.
        string raw = Path.Combine(_dir, "raw.h264");
        if (!File.Exists(raw)) TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2", "-c:v", "libx264", "-crf", "30", "-pix_fmt", "yuv420p", "-f", "h264", raw);
        List<string> plain;
        using (var decoder = new VideoDecoder(raw, "inputPath")) plain = ReadAll(decoder);
        Assert.That(plain, Has.Count.EqualTo(50));
        using var log = NewLog(raw);
        using (var recorder = new VideoDecoder(raw, "inputPath", log: log)) ReadAll(recorder, 20);
        using (var replay = new VideoDecoder(raw, "inputPath", log: log)) Assert.That(ReadAll(replay), Is.EqualTo(plain));
        // The frames after the 20 were recorded as decoding timed them: read back, they keep those times.
        using (var replay = new VideoDecoder(raw, "inputPath", log: log)) Assert.That(ReadAll(replay), Is.EqualTo(plain));
        Assert.That((log.Frames, log.ReachedEnd, log.Replayed), Is.EqualTo((50, true, 70L)));
    }

    [Test]
    public void A_log_that_cannot_be_read_back_is_abandoned_and_the_replay_decodes_the_rest()
    {
        using var log = NewLog(_clip);
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log)) ReadAll(recorder);
        using var replay = new VideoDecoder(_clip, "inputPath", log: log);
        var first = ReadAll(replay, 10);
        log.LoseFileForTests();
        var rest = ReadAll(replay);
        Assert.That(first.Concat(rest), Is.EqualTo(_decoded));
        Assert.That(log.AbandonedBecause, Does.Match(@"the file gave 0 of a frame's \d+ bytes back"));
        Assert.That((log.CanReplay, log.Replayed), Is.EqualTo((false, 10L)));
        log.Dispose();
        using var afterClose = new VideoDecoder(_clip, "inputPath", log: log);
        Assert.That(ReadAll(afterClose), Is.EqualTo(_decoded), "a closed log: decoded");
    }

    [Test]
    public void A_seek_in_a_replay_goes_on_from_the_last_frame_at_or_before_the_time()
    {
        using var log = NewLog(_clip);
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log)) ReadAll(recorder);
        using var replay = new VideoDecoder(_clip, "inputPath", log: log);
        foreach (var (target, index) in new[] { (1500.0, 37), (200.0, 5), (0.0, 0), (2990.0, 74), (1039.0, 25) })
        {
            replay.SeekTo(target);
            var rest = ReadAll(replay, 3);
            Assert.That(rest, Is.EqualTo(_decoded.Skip(index).Take(3)), $"seek to {target} ms");
        }
    }

    [Test]
    public void A_seek_while_recording_abandons_the_log_and_later_decoders_decode()
    {
        using var log = NewLog(_clip);
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log))
        {
            ReadAll(recorder, 10);
            recorder.SeekTo(2000);
            Assert.That(ReadAll(recorder), Is.EqualTo(_decoded.Skip(50)), "the recorder itself decodes on");
        }
        Assert.That(log.AbandonedBecause, Does.Contain("seeked to 2000 ms"));
        Assert.That((log.CanReplay, log.Frames), Is.EqualTo((false, 0)));
        using var later = new VideoDecoder(_clip, "inputPath", log: log);
        Assert.That(ReadAll(later), Is.EqualTo(_decoded));
        Assert.That(log.Replayed, Is.EqualTo(0));
    }

    [Test]
    public void A_log_at_its_limit_keeps_the_frames_so_far_and_one_of_frames_that_are_not_8_bit_4_2_0_is_abandoned()
    {
        using (var small = NewLog(_clip, 45 * DecodeLog.FrameBytes(161, 285)))
        {
            using (var recorder = new VideoDecoder(_clip, "inputPath", log: small)) Assert.That(ReadAll(recorder), Is.EqualTo(_decoded));
            Assert.That((small.CanReplay, small.Frames, small.ReachedEnd, small.AbandonedBecause), Is.EqualTo((true, 45, false, (string?)null)));
            Assert.That(small.FullBecause, Does.StartWith("the frames after the first 45 would take more than"));
            // Read back, then decoded on from the keyframe before the 45th frame (frame 25), not from the start; nothing more fits.
            using (var replay = new VideoDecoder(_clip, "inputPath", log: small))
            {
                Assert.That(ReadAll(replay), Is.EqualTo(_decoded));
                Assert.That(replay.WentOnFromKeyframeMs, Is.EqualTo(PtsOf(_decoded[25])), "from frame 25, the keyframe at 1 s");
            }
            Assert.That((small.CanReplay, small.Frames, small.Replayed), Is.EqualTo((true, 45, 45L)));
            // A seek by a decoder of a log that stopped at its limit keeps the frames.
            using (var replay = new VideoDecoder(_clip, "inputPath", log: small))
            {
                ReadAll(replay);
                replay.SeekTo(0);
            }
            Assert.That((small.CanReplay, small.Frames), Is.EqualTo((true, 45)));
        }
        using (var tiny = NewLog(_clip, DecodeLog.FrameBytes(161, 285) / 2))
        {
            using (var recorder = new VideoDecoder(_clip, "inputPath", log: tiny)) Assert.That(ReadAll(recorder), Is.EqualTo(_decoded));
            Assert.That(tiny.AbandonedBecause, Does.StartWith("a frame would take more than"));
            Assert.That(tiny.CanReplay, Is.False);
        }
        using var yuv444 = NewLog(_yuv444);
        using (var recorder = new VideoDecoder(_yuv444, "inputPath", log: yuv444)) Assert.That(ReadAll(recorder), Has.Count.EqualTo(25));
        Assert.That(yuv444.AbandonedBecause, Does.Contain("yuv444p 160x120, not 8-bit 4:2:0"));
    }

    [Test]
    public void Only_the_logs_own_input_and_only_one_recorder_at_a_time_use_it()
    {
        using var log = NewLog(_clip);
        using (var other = new VideoDecoder(_other, "inputPath", log: log)) Assert.That(ReadAll(other), Has.Count.EqualTo(25));
        Assert.That((log.Frames, log.CanReplay, log.AbandonedBecause), Is.EqualTo((0, false, (string?)null)), "another file is not recorded");
        using (var recorder = new VideoDecoder(_clip, "inputPath", log: log))
        {
            ReadAll(recorder, 5);
            using var second = new VideoDecoder(_clip, "inputPath", log: log);
            Assert.That(ReadAll(second), Is.EqualTo(_decoded), "a decoder opened while another records decodes");
            Assert.That(log.Frames, Is.EqualTo(5));
        }
        Assert.That((log.CanReplay, log.Frames), Is.EqualTo((true, 5)));
    }

    [Test]
    public void An_input_that_decodes_more_cheaply_than_its_frames_are_kept_is_not_recorded()
    {
        // The fixture at crf 30 takes about 3 % of its raw frames' size: under DecodeLog.MinCompressedShare.
        using var log = DecodeLog.Create(_clip, _dir)!;
        using (var decoder = new VideoDecoder(_clip, "inputPath", log: log))
        {
            double share = decoder.VideoBytes / (75.0 * DecodeLog.FrameBytes(161, 285));
            Assert.That(share, Is.InRange(0.001, DecodeLog.MinCompressedShare));
            Assert.That(ReadAll(decoder), Is.EqualTo(_decoded));
        }
        Assert.That(log.AbandonedBecause, Does.Match(@"compressed to [\d.]+ % of its raw frames' size, under 12 %: decoding it again costs less"));
        Assert.That((log.CanReplay, log.Frames), Is.EqualTo((false, 0)));
        // A grainy input at crf 8 takes about half: recorded.
        string grain = Path.Combine(_dir, "grain.mp4");
        TestSupport.Ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=1,noise=alls=30:allf=t", "-c:v", "libx264", "-crf", "8", "-preset", "ultrafast", "-pix_fmt", "yuv420p", grain);
        using var kept = DecodeLog.Create(grain, _dir)!;
        using (var decoder = new VideoDecoder(grain, "inputPath", log: kept)) Assert.That(ReadAll(decoder), Has.Count.EqualTo(25));
        Assert.That((kept.CanReplay, kept.Frames, kept.AbandonedBecause), Is.EqualTo((true, 25, (string?)null)));
    }

    [Test]
    public void No_log_is_kept_in_a_folder_held_in_memory()
    {
        const string shm = "/dev/shm";
        if (!Directory.Exists(shm) || !DecodeLog.MemoryBacked.Contains(new DriveInfo(shm).DriveFormat)) Assert.Ignore("no tmpfs at /dev/shm here");
        Assert.That(DecodeLog.Create(_clip, shm, minCompressedShare: 0), Is.Null, "frames in tmpfs would be memory the kernel cannot write out");
        Assert.That(Directory.GetFiles(shm, "reelspeed-frames-*"), Is.Empty);
        using var onDisk = DecodeLog.Create(_clip, _dir, minCompressedShare: 0);
        Assert.That(onDisk, Is.Not.Null, $"{_dir} is on {new DriveInfo(_dir).DriveFormat}");
    }
}
