using System.Security.Cryptography;
using NUnit.Framework;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using static ReelSpeed.Engine.Tests.Media.EncoderFixtures;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// libx264 driven through the encoder libavcodec opened (<see cref="X264Reconstruction"/>): the same stream as
/// libavcodec makes, and each reconstruction the picture a decoder of that stream outputs, bit for bit — what lets
/// <see cref="InFlightQuality"/> measure an encode without decoding it.
/// </summary>
public unsafe class X264ReconstructionTests : TempDirTest
{
    private static readonly EncodeSettings Settings = EncodeSettings.Default("h264") with { Crf = 26 };

    /// <summary>Keeps every packet: its bytes, timestamps, flags and quality statistics.</summary>
    private sealed class Packets : IPacketSink
    {
        public readonly List<string> Described = new();
        public readonly List<byte[]> Data = new();
        public int BFrames;

        public void Write(nint packet, bool isVideo)
        {
            var data = new ReadOnlySpan<byte>((void*)LibAv.PtrAt(packet, AvLayout.Packet.Data), LibAv.Field<int>(packet, AvLayout.Packet.Size)).ToArray();
            string stats = "";
            var side = LibAv.PtrAt(packet, AvLayout.Packet.SideData);
            for (int i = 0; i < LibAv.Field<int>(packet, AvLayout.Packet.SideDataElems); i++)
            {
                nint entry = side + i * AvLayout.PacketSideData.StructSize;
                var bytes = new ReadOnlySpan<byte>((void*)LibAv.PtrAt(entry, AvLayout.PacketSideData.Data), (int)LibAv.Field<nuint>(entry, AvLayout.PacketSideData.Size));
                stats += $" side {LibAv.Field<int>(entry, AvLayout.PacketSideData.Type)}:{Convert.ToHexString(bytes)}";
                if (LibAv.Field<int>(entry, AvLayout.PacketSideData.Type) == 8 && bytes[4] == 3) BFrames++;
            }
            Data.Add(data);
            Described.Add($"pts {LibAv.Field<long>(packet, AvLayout.Packet.Pts)} dts {LibAv.Field<long>(packet, AvLayout.Packet.Dts)} " +
                          $"flags {LibAv.Field<int>(packet, AvLayout.Packet.Flags)} {data.Length} B {Convert.ToHexString(SHA256.HashData(data))}{stats}");
        }
    }

    /// <summary>Hashes each reconstruction as yuv420p, by pts.</summary>
    private sealed class Reconstructions : IReconstructedPictures
    {
        public readonly Dictionary<long, string> Hashes = new();

        public void Reconstructed(long pts, byte* luma, int lumaStride, byte* chroma, int chromaStride)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (int y = 0; y < Height; y++) hash.AppendData(new ReadOnlySpan<byte>(luma + y * lumaStride, Width));
            var u = new byte[Width / 2];
            var v = new byte[Width / 2];
            var rows = new List<byte[]>();
            for (int y = 0; y < Height / 2; y++)
            {
                fixed (byte* pu = u, pv = v) Nv12.SplitChroma(chroma + y * chromaStride, pu, pv, Width / 2);
                hash.AppendData(u);
                rows.Add(v.ToArray());
            }
            foreach (var row in rows) hash.AppendData(row);
            Assert.That(Hashes.TryAdd(pts, Convert.ToHexString(hash.GetHashAndReset())), $"pts {pts} reconstructed twice");
        }
    }

    private static VideoEncoderSpec Spec(bool globalHeader, bool sliceThreads = false) =>
        new(Width, Height, Fps, Settings, globalHeader, Threads: 2) { SliceThreads = sliceThreads };



    /// <summary>Decodes <paramref name="packets"/> and hashes each frame's planes, by pts.</summary>
    private static Dictionary<long, string> Decode(Packets packets, nint encoderContext)
    {
        var hashes = new Dictionary<long, string>();
        nint codec = LibAv.avcodec_find_decoder(AvConst.CodecIdH264);
        using var decoder = AvCodecContextHandle.Alloc(codec);
        nint par = LibAv.avcodec_parameters_alloc();
        AvCheck.Ok(LibAv.avcodec_parameters_from_context(par, encoderContext), ErrorCodes.Encode, "parameters");
        AvCheck.Ok(LibAv.avcodec_parameters_to_context(decoder.Ptr, par), ErrorCodes.Encode, "parameters");
        LibAv.avcodec_parameters_free(&par);
        AvCheck.Ok(LibAv.avcodec_open2(decoder.Ptr, codec, null), ErrorCodes.Decode, "open");
        using var packet = AvPacketHandle.Alloc();
        using var frame = AvFrameHandle.Alloc();
        // The packets' pts go in order of output; give each its own again from the description.
        for (int i = 0; i <= packets.Data.Count; i++)
        {
            nint send = 0;
            if (i < packets.Data.Count)
            {
                AvCheck.Ok(LibAv.av_new_packet(packet.Ptr, packets.Data[i].Length), ErrorCodes.Encode, "packet");
                packets.Data[i].CopyTo(new Span<byte>((void*)LibAv.PtrAt(packet.Ptr, AvLayout.Packet.Data), packets.Data[i].Length));
                var words = packets.Described[i].Split(' ');
                LibAv.Field<long>(packet.Ptr, AvLayout.Packet.Pts) = long.Parse(words[1]);
                LibAv.Field<long>(packet.Ptr, AvLayout.Packet.Dts) = long.Parse(words[3]);
                send = packet.Ptr;
            }
            AvCheck.Ok(LibAv.avcodec_send_packet(decoder.Ptr, send), ErrorCodes.Decode, "decode");
            LibAv.av_packet_unref(packet.Ptr);
            while (LibAv.avcodec_receive_frame(decoder.Ptr, frame.Ptr) >= 0)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var data = (byte**)((byte*)frame.Ptr + AvLayout.Frame.Data);
                var lines = (int*)((byte*)frame.Ptr + AvLayout.Frame.Linesize);
                for (int p = 0; p < 3; p++)
                    for (int y = 0; y < (p == 0 ? Height : Height / 2); y++)
                        hash.AppendData(new ReadOnlySpan<byte>(data[p] + y * lines[p], p == 0 ? Width : Width / 2));
                hashes.Add(LibAv.Field<long>(frame.Ptr, AvLayout.Frame.Pts), Convert.ToHexString(hash.GetHashAndReset()));
                LibAv.av_frame_unref(frame.Ptr);
            }
        }
        return hashes;
    }

    [TestCase(true, false, TestName = "Each reconstruction is the frame a decoder outputs (global header, frame threads)")]
    [TestCase(false, false, TestName = "Each reconstruction is the frame a decoder outputs (in-band headers, frame threads)")]
    [TestCase(true, true, TestName = "Each reconstruction is the frame a decoder outputs (global header, slice threads)")]
    public void Each_reconstruction_is_the_frame_a_decoder_outputs(bool globalHeader, bool sliceThreads)
    {
        using var encoder = new VideoEncoder(Spec(globalHeader, sliceThreads));
        var pictures = new Reconstructions();
        Assert.That(encoder.AttachReconstruction(pictures, out var why), Is.True, why);
        var packets = new Packets();
        EncodeClip(encoder, packets);
        Assert.That(packets.BFrames, Is.GreaterThan(FrameCount / 4), "B frames, most of them no reference, which x264 deblocks only for the reconstruction");
        var decoded = Decode(packets, encoder.Context);
        Assert.That(decoded, Has.Count.EqualTo(FrameCount));
        Assert.That(pictures.Hashes, Is.EquivalentTo(decoded));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void The_stream_is_the_one_libavcodec_makes(bool globalHeader)
    {
        // Not byte for byte: x264's output depends on what its reused buffers held before (it reads pixels it never wrote,
        // in weighted prediction and elsewhere), and a reconstructing encoder deblocks more of them. The same parameters,
        // headers and frame decisions, and the same size within a few bytes in a hundred.
        (Packets Packets, byte[] Extradata) Encode(bool reconstruct)
        {
            using var encoder = new VideoEncoder(Spec(globalHeader));
            if (reconstruct) Assert.That(encoder.AttachReconstruction(new Reconstructions(), out var why), Is.True, why);
            var packets = new Packets();
            EncodeClip(encoder, packets);
            var extradata = new ReadOnlySpan<byte>((void*)LibAv.PtrAt(encoder.Context, AvLayout.CodecContext.Extradata),
                LibAv.Field<int>(encoder.Context, AvLayout.CodecContext.ExtradataSize)).ToArray();
            return (packets, extradata);
        }

        var plain = Encode(false);
        var direct = Encode(true);
        Assert.That(direct.Extradata, Is.EqualTo(plain.Extradata));
        Assert.That(direct.Packets.Described.Select(Timing), Is.EqualTo(plain.Packets.Described.Select(Timing)), "pts, dts, key flags and picture types");
        // The options SEI ("x264 - core 164 ... options: ...") leads the first packet, from the wrapper's headers or in-band.
        Assert.That(Sei(direct.Packets.Data[0]), Is.EqualTo(Sei(plain.Packets.Data[0])).And.Contain("x264 - core 164"));
        Assert.That(direct.Packets.Data.Sum(d => d.Length), Is.EqualTo(plain.Packets.Data.Sum(d => d.Length)).Within(2).Percent);

        static string Timing(string described) => string.Join(' ', described.Split(' ').Take(6)) + " " + described.Split(" side ")[1][10..12]; // "8:" then the side data: the lambda (4 bytes), the picture type

        static string Sei(byte[] packet)
        {
            string text = System.Text.Encoding.Latin1.GetString(packet);
            int start = text.IndexOf("x264 - core", StringComparison.Ordinal);
            return start < 0 ? "" : text[start..text.IndexOf('\0', start)];
        }
    }

    [Test]
    public void A_first_pass_that_reconstructs_writes_complete_statistics_for_pass_2()
    {
        var settings = Settings with { RateControl = RateControlMode.TwoPass, BitrateKbps = 200 };
        using var stats = TwoPassStats.Create(_dir);
        using (var pass1 = new VideoEncoder(new VideoEncoderSpec(Width, Height, Fps, settings, false, Threads: 2) { Pass = EncodePass.First, Stats = stats }))
        {
            Assert.That(pass1.AttachReconstruction(new Reconstructions(), out var why), Is.True, why);
            EncodeClip(pass1, new NullPacketSink());
        }
        Assert.That(stats.FirstPassDone);
        // x264 writes a header line, then one line a frame.
        Assert.That(File.ReadAllLines(stats.LogPath).Count(l => l.StartsWith("in:", StringComparison.Ordinal)), Is.EqualTo(FrameCount));
        using var pass2 = new VideoEncoder(new VideoEncoderSpec(Width, Height, Fps, settings, true, Threads: 2) { Pass = EncodePass.Second, Stats = stats });
        var pictures = new Reconstructions();
        Assert.That(pass2.AttachReconstruction(pictures, out var why2), Is.True, why2);
        var packets = new Packets();
        EncodeClip(pass2, packets);
        Assert.That(pictures.Hashes, Has.Count.EqualTo(FrameCount));
        Assert.That(packets.Data.Sum(d => d.Length) * 8.0 / Seconds / 1000, Is.EqualTo(200).Within(5).Percent, "pass 2 follows the plan");
    }

    [Test]
    public void Only_an_unstarted_libx264_encoder_fed_yuv420p_reconstructs()
    {
        using (var vp9 = new VideoEncoder(new VideoEncoderSpec(Width, Height, Fps, EncodeSettings.Default("vp9"), false, Threads: 2)))
        {
            Assert.That(vp9.AttachReconstruction(new Reconstructions(), out var why), Is.False);
            Assert.That(why, Does.Contain("not libx264"));
        }
        using var started = new VideoEncoder(Spec(false));
        using var frame = NewFrame();
        Load(frame, 0);
        started.Encode(frame.Ptr, new NullPacketSink());
        Assert.That(started.AttachReconstruction(new Reconstructions(), out var started_why), Is.False);
        Assert.That(started_why, Does.Contain("started"));
    }

    /// <summary>Reconstructions scored in place on the encoder's thread, or copied to the measurement's own thread, until disposed.</summary>
    private static IDisposable Scoring(bool inPlace)
    {
        int was = InFlightQuality.InPlaceMaxCores;
        InFlightQuality.InPlaceMaxCores = inPlace ? int.MaxValue : 0;
        return new Restore(() => InFlightQuality.InPlaceMaxCores = was);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    [TestCase(1, true)]
    [TestCase(2, true)]
    [TestCase(1, false)]
    [TestCase(2, false)]
    public void In_flight_scores_from_reconstructions_are_the_scores_from_decoding(int sampleEvery, bool inPlace)
    {
        // Two measurements of one encode: one takes x264's reconstructions, the other (the encoder is taken) decodes its packets.
        using var scoring = Scoring(inPlace);
        using var encoder = new VideoEncoder(Spec(true));
        var options = new QualityOptions { SampleEvery = sampleEvery };
        var fromPictures = Enumerable.Repeat(double.NaN, FrameCount).ToArray();
        var fromPackets = Enumerable.Repeat(double.NaN, FrameCount).ToArray();
        using var reconstructed = new InFlightQuality(encoder, options, CancellationToken.None, fromPictures);
        using var decoded = new InFlightQuality(encoder, options, CancellationToken.None, fromPackets);
        Assert.That(reconstructed.Reconstructs, Is.True);
        Assert.That(reconstructed.ScoresInPlace, Is.EqualTo(inPlace));
        Assert.That(decoded.Reconstructs, Is.False);
        using var frame = NewFrame();
        var sink = reconstructed.Tee(decoded.Tee(new NullPacketSink()));
        for (int i = 0; i < FrameCount; i++)
        {
            Load(frame, i);
            reconstructed.Source(i, frame.Ptr);
            decoded.Source(i, frame.Ptr);
            encoder.Encode(frame.Ptr, sink);
        }
        encoder.Encode(0, sink);
        var a = reconstructed.Complete()!;
        var b = decoded.Complete()!;
        Assert.That(fromPictures, Is.EqualTo(fromPackets), "the same frames, the same scores");
        Assert.That(fromPictures.Count(double.IsNaN), Is.EqualTo(FrameCount - FrameCount / sampleEvery), "sampled by pts");
        Assert.That(a.FramesCompared, Is.EqualTo(b.FramesCompared));
        Assert.That(a.UnmatchedFrames, Is.Zero);
        Assert.That(a.Ssim, Is.EqualTo(b.Ssim).Within(1e-12));
        Assert.That(a.SsimU, Is.EqualTo(b.SsimU).Within(1e-12));
        Assert.That(a.Psnr, Is.EqualTo(b.Psnr).Within(1e-9));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void A_reconstruction_that_cannot_be_scored_fails_the_measurement_not_the_encode(bool inPlace)
    {
        // Pictures too small to measure (12x12: 6x6 chroma) make the first reconstruction fail to score: the encode goes on, the
        // pictures kept are let go and no more are kept, and Complete throws the error. Scored in place, that happens as x264 hands
        // the first one over; copied, on the measurement's thread (a picture given meanwhile may still be kept).
        using var scoring = Scoring(inPlace);
        using var encoder = new VideoEncoder(Spec(true));
        using var quality = new InFlightQuality(encoder, new QualityOptions(), CancellationToken.None);
        Assert.That(quality.Reconstructs, Is.True);
        Assert.That(quality.ScoresInPlace, Is.EqualTo(inPlace));
        using var frame = NewFrame();
        using var tiny = FrameConverter.AllocateFrame(12, 12);
        var packets = new Packets();
        var sink = quality.Tee(packets);
        int keptBefore = 0, keptAfter = 0;
        for (int i = 0; i < FrameCount; i++)
        {
            Load(frame, i);
            quality.Source(i, tiny.Ptr);
            encoder.Encode(frame.Ptr, sink);
            if (packets.Data.Count == 0) keptBefore = Math.Max(keptBefore, quality.Pending);
            else keptAfter = Math.Max(keptAfter, quality.Pending);
        }
        encoder.Encode(0, sink);
        Assert.That(packets.Data, Has.Count.EqualTo(FrameCount), "every frame encoded");
        Assert.That(keptBefore, Is.GreaterThan(1), "pictures were kept while x264 held their frames");
        if (inPlace) Assert.That(keptAfter, Is.Zero, "let go as the first reconstruction failed, none kept after");
        var e = Assert.Throws<EngineException>(() => quality.Complete())!;
        Assert.That(e.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(e.Message, Does.Contain("too small to measure"));
        Assert.That(quality.Pending, Is.LessThanOrEqualTo(inPlace ? 0 : 1), "the pictures kept were let go");
    }

    [Test]
    public void Turned_off_or_taken_the_measurement_decodes_packets()
    {
        bool was = X264Reconstruction.Enabled;
        X264Reconstruction.Enabled = false;
        try
        {
            using var encoder = new VideoEncoder(Spec(true));
            using var quality = new InFlightQuality(encoder, new QualityOptions(), CancellationToken.None);
            Assert.That(quality.Reconstructs, Is.False);
            Assert.That(quality.NotReconstructing, Is.EqualTo("turned off"));
        }
        finally
        {
            X264Reconstruction.Enabled = was;
        }
        using var taken = new VideoEncoder(Spec(true));
        Assert.That(taken.AttachReconstruction(new Reconstructions(), out var why), Is.True, why);
        using var second = new InFlightQuality(taken, new QualityOptions(), CancellationToken.None);
        Assert.That(second.Reconstructs, Is.False);
        Assert.That(second.NotReconstructing, Does.Contain("already"));
    }

    [Test]
    public void A_stopped_or_abandoned_measurement_of_reconstructions_lets_the_encode_go_on()
    {
        // A first pass whose scores are no longer wanted stops part-way; the encode runs to its end.
        var probe = new InFlightQualityProbe(new QualityOptions());
        var scores = Enumerable.Repeat(double.NaN, FrameCount).ToArray();
        using (var encoder = new VideoEncoder(Spec(true)))
        using (var quality = new InFlightQuality(encoder, probe.Options, CancellationToken.None, scores, probe))
        {
            Assert.That(quality.Reconstructs, Is.True);
            using var frame = NewFrame();
            var packets = new Packets();
            var sink = quality.Tee(packets);
            for (int i = 0; i < FrameCount; i++)
            {
                if (i == 40) probe.StopScoring();
                Load(frame, i);
                quality.Source(i, frame.Ptr);
                encoder.Encode(frame.Ptr, sink);
            }
            encoder.Encode(0, sink);
            Assert.That(packets.Data, Has.Count.EqualTo(FrameCount));
            Assert.That(quality.Complete(), Is.Null);
            Assert.That(quality.Pending, Is.Zero, "the pictures kept are let go");
        }
        int scored = scores.Count(x => !double.IsNaN(x));
        Assert.That(scored, Is.GreaterThan(0).And.LessThan(40));

        // Given up before the end (an error elsewhere in the job): disposed with pictures queued and kept, nothing left behind.
        using var abandoned = new VideoEncoder(Spec(true));
        using (var quality = new InFlightQuality(abandoned, new QualityOptions(), CancellationToken.None))
        {
            using var frame = NewFrame();
            var sink = quality.Tee(new NullPacketSink());
            for (int i = 0; i < 30; i++)
            {
                Load(frame, i);
                quality.Source(i, frame.Ptr);
                abandoned.Encode(frame.Ptr, sink);
            }
        }
    }

    [Test]
    public void A_scoring_failure_lets_the_encode_finish_and_comes_out_of_Complete()
    {
        // 14x14: chroma planes of 7x7, too small for SSIM's 8x8 windows, so every score fails. The encoder stops handing
        // pictures over and goes on to its end; the failure comes out of Complete.
        const int side = 14, frames = 60;
        var encode = Task.Run(() =>
        {
            using var encoder = new VideoEncoder(new VideoEncoderSpec(side, side, Fps, Settings, false, Threads: 2));
            using var quality = new InFlightQuality(encoder, new QualityOptions(), CancellationToken.None);
            Assert.That(quality.Reconstructs, Is.True);
            using var frame = HardwareEncoders.BlackFrame(side, side);
            var sink = quality.Tee(new NullPacketSink());
            for (int i = 0; i < frames; i++)
            {
                LibAv.Field<long>(frame.Ptr, AvLayout.Frame.Pts) = i;
                quality.Source(i, frame.Ptr);
                encoder.Encode(frame.Ptr, sink);
            }
            encoder.Encode(0, sink);
            return Assert.Throws<EngineException>(() => quality.Complete())!;
        });
        Assert.That(encode.Wait(TimeSpan.FromSeconds(60)), Is.True, "the encode finished");
        Assert.That(encode.Result.Code, Is.EqualTo(ErrorCodes.UnsupportedMedia));
        Assert.That(encode.Result.Message, Does.Contain("too small"));
    }

    [Test]
    public void Deinterleaving_splits_every_pair_whatever_the_width()
    {
        foreach (int count in new[] { 1, 15, 16, 17, 33, 540 })
        {
            var uv = Enumerable.Range(0, 2 * count).Select(i => (byte)(i * 7 + 3)).ToArray();
            var u = new byte[count];
            var v = new byte[count];
            fixed (byte* puv = uv, pu = u, pv = v) Nv12.SplitChroma(puv, pu, pv, count);
            Assert.That(u, Is.EqualTo(Enumerable.Range(0, count).Select(i => uv[2 * i])), $"{count}");
            Assert.That(v, Is.EqualTo(Enumerable.Range(0, count).Select(i => uv[2 * i + 1])), $"{count}");
        }
    }
}
