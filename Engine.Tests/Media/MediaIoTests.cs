using NUnit.Framework;
using ReelSpeed.Engine.Audio;
using ReelSpeed.Engine.Media;
using ReelSpeed.Engine.Media.Native;
using ReelSpeed.Engine.Tests.Audio;

namespace ReelSpeed.Engine.Tests.Media;

/// <summary>
/// The interrupt callback on libav's file I/O (<see cref="MediaIo"/>, issue #13 item 4): a read that
/// waits for data that never comes ends with ERR_IO_STALLED naming the file once the stall bound
/// passes, and a cancelled job's token stops a read, an open and a probe from inside libav.
/// The waiting source is real: a WAV whose header promises 10 s while the file holds 0.1 s,
/// read with the file protocol's <c>follow</c> mode (libav's "tail -f" for a file still being
/// written), which retries at the end of the file for ever, as a reader of a file whose writer
/// stopped would.
/// </summary>
[NonParallelizable] // lowers the process-wide stall bound
public class MediaIoTests : TempDirTest
{
    private static readonly Dictionary<string, string> Follow = new() { ["follow"] = "1" };

    /// <summary>16-bit mono 48 kHz WAV: a header for <paramref name="promisedSeconds"/>, data for <paramref name="actualSeconds"/>.</summary>
    private string WavCutShort(double promisedSeconds = 10, double actualSeconds = 0.1)
    {
        var path = Path.Combine(_dir, "growing.wav");
        using var w = new BinaryWriter(File.Create(path));
        int promised = (int)(promisedSeconds * 48000) * 2, actual = (int)(actualSeconds * 48000) * 2;
        w.Write("RIFF"u8);
        w.Write(36 + promised);
        w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(16);
        w.Write((short)1); // PCM
        w.Write((short)1);
        w.Write(48000);
        w.Write(48000 * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(promised);
        w.Write(new byte[actual]);
        return path;
    }

    /// <summary>Reads packets until a read throws (a read that ends otherwise fails the test).</summary>
    private static void ReadUntilStopped(AvInputContextHandle input)
    {
        using var packet = AvPacketHandle.Alloc();
        for (int packets = 0; ; packets++)
        {
            int ret = input.ReadFrame(packet.Ptr);
            if (ret < 0) Assert.Fail($"the read ended by itself after {packets} packets ({LibAv.ErrorText(ret)}) instead of being stopped");
            LibAv.av_packet_unref(packet.Ptr);
        }
    }

    [Test]
    public void A_read_waiting_for_data_that_never_comes_ends_with_ERR_IO_STALLED_naming_the_file()
    {
        LibAvLoader.EnsureLoaded();
        var path = WavCutShort();
        var saved = MediaIo.StallTimeout;
        MediaIo.StallTimeout = TimeSpan.FromMilliseconds(300);
        try
        {
            using var input = AvInputContextHandle.Open(path, "wav", "an audio file", Follow);
            var e = Assert.Throws<EngineException>(() => ReadUntilStopped(input))!;
            Assert.That(e.Code, Is.EqualTo(ErrorCodes.IoStalled));
            Assert.That(e.Message, Does.Contain(path).And.Contain("no data could be read for 0.3 s"));
        }
        finally
        {
            MediaIo.StallTimeout = saved;
        }
    }

    [Test]
    public void Cancelling_the_bound_token_stops_a_read_that_is_waiting_inside_libav()
    {
        LibAvLoader.EnsureLoaded();
        var path = WavCutShort();
        using var cancel = new CancellationTokenSource();
        Task<int> read;
        using (MediaIo.Bind(cancel.Token))
            read = DedicatedThread.Run("reader", () =>
            {
                using var input = AvInputContextHandle.Open(path, "wav", "an audio file", Follow);
                ReadUntilStopped(input);
                return 0;
            });
        // The stall bound is 60 s: only the cancel can end this read soon, and it must.
        Thread.Sleep(200);
        cancel.Cancel();
        var e = Assert.Throws<OperationCanceledException>(() => read.GetAwaiter().GetResult())!;
        Assert.That(e.CancellationToken, Is.EqualTo(cancel.Token));
    }

    [Test]
    public void A_cancelled_job_stops_opening_decoding_and_probing_at_libavs_first_read()
    {
        var wav = AudioFixtures.Sine(Path.Combine(_dir, "tone.wav"), 440, 0.5, 1);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        using (MediaIo.Bind(cancel.Token))
        {
            Assert.Throws<OperationCanceledException>(() => new AudioDecoder(wav, AudioMix.SampleRate).Dispose());
            Assert.Throws<OperationCanceledException>(() => MediaProbe.Probe(wav));
        }
        // Outside the job's scope the same file opens and probes.
        using (var decoder = new AudioDecoder(wav, AudioMix.SampleRate)) Assert.That(decoder, Is.Not.Null);
        Assert.That(MediaProbe.Probe(wav).Streams, Has.Count.EqualTo(1));
    }

    [Test]
    public void The_token_flows_into_threads_started_inside_the_scope()
    {
        var wav = AudioFixtures.Sine(Path.Combine(_dir, "tone.wav"), 440, 0.5, 1);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Task<string> probe;
        using (MediaIo.Bind(cancel.Token)) probe = DedicatedThread.Run("probe", () => MediaProbe.Probe(wav).Container);
        Assert.Throws<OperationCanceledException>(() => probe.GetAwaiter().GetResult());
    }
}
