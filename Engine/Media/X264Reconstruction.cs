using System.Runtime.InteropServices;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>Takes each picture libx264 reconstructed, on the encoder's thread, while the call lasts (x264 reuses it after).</summary>
internal unsafe interface IReconstructedPictures
{
    /// <param name="pts">The pts of the picture given to the encoder that this is the reconstruction of.</param>
    /// <param name="luma">The Y plane, <paramref name="lumaStride"/> bytes a row.</param>
    /// <param name="chroma">The U and V planes interleaved (NV12), <paramref name="chromaStride"/> bytes a row.</param>
    void Reconstructed(long pts, byte* luma, int lumaStride, byte* chroma, int chromaStride);
}

/// <summary>
/// Drives the libx264 encoder that libavcodec's libx264 wrapper opened, so that each frame's reconstruction — the
/// picture a decoder of the stream will output, which x264 computes anyway to predict from — comes out with its
/// packet, and a measurement of the encode (<see cref="InFlightQuality"/>) needs no decoder. FFmpeg 5.1 has no API for
/// it (<c>AV_CODEC_FLAG_RECON_FRAME</c> came in 6.0), so this takes over the wrapper's <c>x264_t</c>:
/// <list type="number">
/// <item>the wrapper opens x264 as for any encode (its option handling is the ffmpeg CLI's, so both make the same stream);</item>
/// <item>its encoder is closed and reopened from the very parameters it was opened with, plus x264's <c>b_full_recon</c>
/// (x264 otherwise leaves frames that are no reference undeblocked; the flag changes no coding decision, though the bytes
/// may differ as libx264's output differs from run to run: it reads pixels of its reused buffers it never wrote), and the
/// new encoder is put where the wrapper keeps its own, so that closing the codec context closes it;</item>
/// <item>frames go to <c>x264_encoder_encode</c> here, and its NAL units become packets as the wrapper makes them: the
/// NAL units in order (the options SEI first in the first packet under a global header), pts, dts, key flag and quality statistics.</item>
/// </list>
/// Attaching checks what it relies on (the library's build, the wrapper's layout, the reopened encoder's headers equal to
/// the stream's extradata) and declines otherwise, leaving the encoder as it was. Frames reach this encoder without side
/// data (<see cref="Pipeline.FrameProducer"/> strips a shared decoded frame's): the wrapper would turn A53 captions into SEI.
/// </summary>
internal sealed unsafe class X264Reconstruction
{
    /// <summary>Off: <see cref="TryAttach"/> always declines (tests compare against the decoding measurement).</summary>
    internal static bool Enabled { get; set; } = true;

    private readonly nint _encoder;
    private readonly int _csp;
    private byte[]? _sei;
    private readonly IReconstructedPictures _pictures;

    private X264Reconstruction(nint encoder, int csp, byte[]? sei, IReconstructedPictures pictures)
    {
        _encoder = encoder;
        _csp = csp;
        _sei = sei;
        _pictures = pictures;
    }

    /// <summary>
    /// Reopens the libx264 encoder of the opened, unused codec context <paramref name="ctx"/> (<paramref name="width"/> x
    /// <paramref name="height"/> yuv420p) to reconstruct every frame into <paramref name="pictures"/>; null (and why) where
    /// this FFmpeg or libx264 is not the one it was written for, the encoder then as it was. <paramref name="firstPassStats"/>:
    /// a pass 1's statistics file, which closing the wrapper's unused encoder writes and the reopened one must write anew.
    /// </summary>
    /// <exception cref="EngineException">ERR_ENCODE: the encoder closed and would not reopen, even as it was.</exception>
    public static X264Reconstruction? TryAttach(nint ctx, int width, int height, bool globalHeader, string? firstPassStats,
        IReconstructedPictures pictures, out string? why)
    {
        why = Check(ctx, width, height, out var priv);
        if (why is not null) return null;
        byte* wrapperParams = (byte*)priv + X264Layout.WrapperContext.Params;
        byte* param = (byte*)NativeMemory.AlignedAlloc(X264Layout.ParamSize, 64);
        try
        {
            NativeMemory.Copy(wrapperParams, param, X264Layout.ParamSize);
            *(int*)(param + X264Layout.Param.FullRecon) = 1;
            ref nint slot = ref LibAv.Field<nint>(priv, X264Layout.WrapperContext.Encoder);
            // Closed first: a pass 1's encoder holds its statistics' temporary files open, which the new one recreates.
            LibX264.x264_encoder_close(slot);
            slot = 0;
            if (firstPassStats is not null)
            {
                // Closing an encoder that coded nothing renamed its empty statistics into place: gone, so that only a complete pass 1 leaves them.
                File.Delete(firstPassStats);
                File.Delete(firstPassStats + ".mbtree");
            }
            nint encoder = LibX264.x264_encoder_open((nint)param);
            byte[]? sei = null;
            why = encoder == 0 ? "libx264 would not reopen with full reconstruction"
                : globalHeader && (sei = Headers(ctx, encoder)) is null ? "the reopened libx264 wrote other stream headers than the wrapper's"
                : null;
            if (why is not null)
            {
                if (encoder != 0) LibX264.x264_encoder_close(encoder);
                // As the wrapper opened it: its own parameters, untouched.
                slot = LibX264.x264_encoder_open((nint)wrapperParams);
                if (slot == 0) throw new EngineException(ErrorCodes.Encode, $"libx264 would not reopen after {why}");
                return null;
            }
            slot = encoder;
            return new X264Reconstruction(encoder, *(int*)(param + X264Layout.Param.Csp), sei, pictures);
        }
        finally
        {
            NativeMemory.AlignedFree(param); // x264 keeps its own copy
        }
    }

    /// <summary>Why the wrapper's encoder cannot be taken over (null: it can).</summary>
    private static string? Check(nint ctx, int width, int height, out nint priv)
    {
        priv = 0;
        if (!Enabled) return "turned off";
        if (!LibX264.Available) return $"{LibX264.Lib} (build {LibX264.Build}) is not loadable";
        nint codec = LibAv.PtrAt(ctx, AvLayout.CodecContext.Codec);
        if (codec == 0 || LibAv.Utf8At(codec, AvLayout.Codec.Name) != "libx264") return "not libavcodec's libx264 encoder";
        priv = LibAv.PtrAt(ctx, AvLayout.CodecContext.PrivData);
        if (priv == 0) return "the encoder is not open";
        var p = (byte*)priv + X264Layout.WrapperContext.Params;
        if (*(int*)(p + X264Layout.Param.Width) != width || *(int*)(p + X264Layout.Param.Height) != height
            || *(int*)(p + X264Layout.Param.Csp) != X264Layout.CspI420 || *(int*)(p + X264Layout.Param.BitDepth) != 8)
            return "the wrapper's parameters are not where libavcodec 5.1 keeps them";
        nint encoder = LibAv.PtrAt(priv, X264Layout.WrapperContext.Encoder);
        if (encoder == 0) return "the wrapper holds no encoder";
        byte* current = stackalloc byte[X264Layout.ParamSize];
        LibX264.x264_encoder_parameters(encoder, (nint)current);
        if (*(int*)(current + X264Layout.Param.Width) != width || *(int*)(current + X264Layout.Param.Height) != height)
            return "the wrapper's encoder does not report its size";
        return null;
    }

    /// <summary>
    /// The options SEI that goes first into the first packet, as the wrapper keeps it, where the reopened encoder's SPS and
    /// PPS are the bytes the wrapper put in the codec context's extradata (the same stream parameters); null where not.
    /// </summary>
    private static byte[]? Headers(nint ctx, nint encoder)
    {
        nint nals;
        int count;
        if (LibX264.x264_encoder_headers(encoder, &nals, &count) < 0) return null;
        byte[]? sei = null;
        var sets = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            nint nal = nals + i * X264Layout.NalSize;
            var payload = new ReadOnlySpan<byte>((void*)LibAv.PtrAt(nal, X264Layout.Nal.PayloadData), LibAv.Field<int>(nal, X264Layout.Nal.Payload));
            if (LibAv.Field<int>(nal, X264Layout.Nal.Type) == X264Layout.NalSei) sei = payload.ToArray();
            else sets.AddRange(payload);
        }
        var extradata = new ReadOnlySpan<byte>((void*)LibAv.PtrAt(ctx, AvLayout.CodecContext.Extradata), LibAv.Field<int>(ctx, AvLayout.CodecContext.ExtradataSize));
        return sei is not null && extradata.SequenceEqual(sets.ToArray()) ? sei : null;
    }

    /// <summary>
    /// Encodes one yuv420p frame (0: flushes every frame x264 still holds), handing each packet to <paramref name="sink"/>
    /// through <paramref name="packet"/> and each reconstruction to the <see cref="IReconstructedPictures"/>.
    /// </summary>
    public void Encode(nint frame, nint packet, IPacketSink sink, string encoderName)
    {
        byte* input = stackalloc byte[X264Layout.PictureSize];
        byte* output = stackalloc byte[X264Layout.PictureSize];
        nint pictureIn = 0;
        if (frame != 0)
        {
            LibX264.x264_picture_init((nint)input);
            *(int*)(input + X264Layout.Picture.ImgCsp) = _csp;
            *(int*)(input + X264Layout.Picture.ImgPlanes) = 3;
            var data = (nint*)((byte*)frame + AvLayout.Frame.Data);
            var lines = (int*)((byte*)frame + AvLayout.Frame.Linesize);
            for (int i = 0; i < 3; i++)
            {
                ((nint*)(input + X264Layout.Picture.ImgPlane))[i] = data[i];
                ((int*)(input + X264Layout.Picture.ImgStride))[i] = lines[i];
            }
            *(long*)(input + X264Layout.Picture.Pts) = LibAv.Field<long>(frame, AvLayout.Frame.Pts);
            // As the wrapper reads a frame's type: I forces a keyframe, P and B their type.
            *(int*)(input + X264Layout.Picture.Type) = LibAv.Field<int>(frame, AvLayout.Frame.PictType) switch
            {
                1 => X264Layout.TypeKeyframe,
                2 => X264Layout.TypeP,
                3 => X264Layout.TypeB,
                _ => X264Layout.TypeAuto,
            };
            pictureIn = (nint)input;
        }
        do
        {
            NativeMemory.Clear(output, X264Layout.PictureSize);
            nint nals;
            int count;
            if (LibX264.x264_encoder_encode(_encoder, &nals, &count, pictureIn, (nint)output) < 0)
                throw new EngineException(ErrorCodes.Encode, $"{encoderName}: {(frame == 0 ? "flushing" : "encoding a video frame")} failed in libx264");
            if (count > 0) Emit(nals, count, output, packet, sink, encoderName);
        }
        while (frame == 0 && LibX264.x264_encoder_delayed_frames(_encoder) > 0);
    }

    private void Emit(nint nals, int count, byte* picture, nint packet, IPacketSink sink, string encoderName)
    {
        long size = _sei?.Length ?? 0;
        for (int i = 0; i < count; i++) size += LibAv.Field<int>(nals + i * X264Layout.NalSize, X264Layout.Nal.Payload);
        if (size > int.MaxValue - 64) throw new EngineException(ErrorCodes.Encode, $"{encoderName}: a {size}-byte frame");
        int pictType = *(int*)(picture + X264Layout.Picture.Type) switch
        {
            X264Layout.TypeIdr or X264Layout.TypeI => 1,
            X264Layout.TypeP => 2,
            X264Layout.TypeB or X264Layout.TypeBref => 3,
            var t => throw new EngineException(ErrorCodes.Internal, $"{encoderName}: libx264 gave a frame of unknown type {t}"),
        };
        AvCheck.Ok(LibAv.av_new_packet(packet, (int)size), ErrorCodes.ResourceLimit, "allocating a video packet");
        try
        {
            var to = new Span<byte>((void*)LibAv.PtrAt(packet, AvLayout.Packet.Data), (int)size);
            if (_sei is { } sei)
            {
                sei.CopyTo(to);
                to = to[sei.Length..];
                _sei = null;
            }
            // x264's NAL payloads lie one after the other.
            new ReadOnlySpan<byte>((void*)LibAv.PtrAt(nals, X264Layout.Nal.PayloadData), to.Length).CopyTo(to);
            LibAv.Field<long>(packet, AvLayout.Packet.Pts) = *(long*)(picture + X264Layout.Picture.Pts);
            LibAv.Field<long>(packet, AvLayout.Packet.Dts) = *(long*)(picture + X264Layout.Picture.Dts);
            if (*(int*)(picture + X264Layout.Picture.KeyFrame) != 0) LibAv.Field<int>(packet, AvLayout.Packet.Flags) |= AvConst.PktFlagKey;
            // AV_PKT_DATA_QUALITY_STATS as libavcodec writes it: the quantiser as a lambda, the picture type, no error sums.
            byte* stats = LibAv.av_packet_new_side_data(packet, AvConst.PktDataQualityStats, 8);
            if (stats == null) throw new OutOfMemoryException("av_packet_new_side_data failed");
            *(int*)stats = (*(int*)(picture + X264Layout.Picture.QpPlus1) - 1) * AvConst.QpToLambda;
            stats[4] = (byte)pictType;

            if (*(int*)(picture + X264Layout.Picture.ImgCsp) != X264Layout.CspNv12 || *(int*)(picture + X264Layout.Picture.ImgPlanes) != 2)
                throw new EngineException(ErrorCodes.Internal, $"{encoderName}: libx264 reconstructed a picture that is not NV12");
            var planes = (byte**)(picture + X264Layout.Picture.ImgPlane);
            var strides = (int*)(picture + X264Layout.Picture.ImgStride);
            _pictures.Reconstructed(*(long*)(picture + X264Layout.Picture.Pts), planes[0], strides[0], planes[1], strides[1]);
            sink.Write(packet, isVideo: true);
        }
        finally
        {
            LibAv.av_packet_unref(packet);
        }
    }

}
