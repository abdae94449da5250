using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

[StructLayout(LayoutKind.Sequential)]
internal struct AVRational
{
    public int Num;
    public int Den;

    public AVRational(int num, int den)
    {
        Num = num;
        Den = den;
    }

    public readonly double ToDouble() => Den == 0 ? 0 : (double)Num / Den;
    public override readonly string ToString() => $"{Num}/{Den}";
}

/// <summary>
/// The engine's own bindings to FFmpeg 5.1 (libavcodec 59, libavformat 59, libavutil 57,
/// libswscale 6, libswresample 4). Only the functions the engine uses are declared; struct
/// fields are read through <see cref="AvLayout"/> offsets with <see cref="Field{T}"/>.
/// Libraries are loaded by SONAME, so only the runtime packages are needed.
/// </summary>
internal static unsafe partial class LibAv
{
    public const string AvUtil = "libavutil.so.57";
    public const string AvCodec = "libavcodec.so.59";
    public const string AvFormat = "libavformat.so.59";
    public const string SwScale = "libswscale.so.6";
    public const string SwResample = "libswresample.so.4";

    // ---- field access -------------------------------------------------------------------
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T Field<T>(nint structPtr, int offset) where T : unmanaged => ref *(T*)((byte*)structPtr + offset);

    public static nint PtrAt(nint structPtr, int offset) => *(nint*)((byte*)structPtr + offset);

    public static string? Utf8At(nint structPtr, int offset) => Marshal.PtrToStringUTF8(PtrAt(structPtr, offset));

    // ---- libavutil ------------------------------------------------------------------------
    [LibraryImport(AvUtil)] public static partial uint avutil_version();
    [LibraryImport(AvUtil)] public static partial nint av_version_info();
    [LibraryImport(AvUtil)] public static partial int av_strerror(int errnum, byte* errbuf, nuint errbufSize);
    [LibraryImport(AvUtil)] public static partial void av_log_set_level(int level);
    [LibraryImport(AvUtil)] public static partial nint av_frame_alloc();
    [LibraryImport(AvUtil)] public static partial void av_frame_free(nint* frame);
    [LibraryImport(AvUtil)] public static partial int av_frame_get_buffer(nint frame, int align);
    [LibraryImport(AvUtil)] public static partial int av_frame_make_writable(nint frame);
    [LibraryImport(AvUtil)] public static partial int av_frame_is_writable(nint frame);
    [LibraryImport(AvUtil)] public static partial void av_frame_unref(nint frame);
    [LibraryImport(AvUtil)] public static partial nint av_frame_clone(nint frame);
    [LibraryImport(AvUtil)] public static partial int av_frame_ref(nint dst, nint src);
    [LibraryImport(AvUtil)] public static partial void av_frame_remove_side_data(nint frame, int type);
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_dict_set(nint* dict, string key, string value, int flags);
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial nint av_dict_get(nint dict, string key, nint prev, int flags);
    [LibraryImport(AvUtil)] public static partial void av_dict_free(nint* dict);
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_set(nint obj, string name, string value, int searchFlags);
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_set_int(nint obj, string name, long value, int searchFlags);
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_opt_get_int(nint obj, string name, int searchFlags, long* value);
    [LibraryImport(AvUtil)] public static partial void av_channel_layout_default(nint chLayout, int nbChannels);
    [LibraryImport(AvUtil)] public static partial void av_channel_layout_uninit(nint chLayout);
    [LibraryImport(AvUtil)] public static partial int av_channel_layout_copy(nint dst, nint src);
    [LibraryImport(AvUtil)] public static partial int av_channel_layout_describe(nint chLayout, byte* buf, nuint bufSize);
    [LibraryImport(AvUtil)] public static partial nint av_get_pix_fmt_name(int pixFmt);
    [LibraryImport(AvUtil)] public static partial nint av_get_sample_fmt_name(int sampleFmt);
    [LibraryImport(AvUtil)] public static partial long av_rescale_q(long a, AVRational bq, AVRational cq);
    [LibraryImport(AvUtil)] public static partial double av_display_rotation_get(int* matrix);
    [LibraryImport(AvUtil)] public static partial void av_display_rotation_set(int* matrix, double angle);
    [LibraryImport(AvUtil)] public static partial int av_pix_fmt_count_planes(int pixFmt);
    [LibraryImport(AvUtil)] public static partial int av_pix_fmt_get_chroma_sub_sample(int pixFmt, int* log2ChromaW, int* log2ChromaH);
    [LibraryImport(AvUtil)] public static partial int av_image_get_linesize(int pixFmt, int width, int plane);
    [LibraryImport(AvUtil)] public static partial nint av_pix_fmt_desc_get(int pixFmt);
    [LibraryImport(AvUtil)] public static partial nint av_color_range_name(int range);
    [LibraryImport(AvUtil)] public static partial nint av_color_primaries_name(int primaries);
    [LibraryImport(AvUtil)] public static partial nint av_color_transfer_name(int transfer);
    [LibraryImport(AvUtil)] public static partial nint av_color_space_name(int space);
    [LibraryImport(AvUtil)] public static partial nint av_chroma_location_name(int location);
    [LibraryImport(AvUtil)] public static partial int av_reduce(int* dstNum, int* dstDen, long num, long den, long max);

    // ---- libavutil: hardware contexts, buffers, log capture, memory (hardware encoders, two-pass) --
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_hwdevice_find_type_by_name(string name);
    [LibraryImport(AvUtil)] public static partial nint av_hwdevice_get_type_name(int type);
    [LibraryImport(AvUtil)] public static partial int av_hwdevice_iterate_types(int prev);
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)] public static partial int av_hwdevice_ctx_create(nint* deviceRef, int type, string? device, nint opts, int flags);
    [LibraryImport(AvUtil)] public static partial nint av_hwframe_ctx_alloc(nint deviceRef);
    [LibraryImport(AvUtil)] public static partial int av_hwframe_ctx_init(nint framesRef);
    [LibraryImport(AvUtil)] public static partial int av_hwframe_get_buffer(nint framesRef, nint frame, int flags);
    [LibraryImport(AvUtil)] public static partial int av_hwframe_transfer_data(nint dst, nint src, int flags);
    [LibraryImport(AvUtil)] public static partial nint av_buffer_ref(nint buf);
    [LibraryImport(AvUtil)] public static partial void av_buffer_unref(nint* buf);
    [LibraryImport(AvUtil)] public static partial void av_log_set_callback(delegate* unmanaged<nint, int, nint, nint, void> callback);
    [LibraryImport(AvUtil)] public static partial int av_log_format_line2(nint avcl, int level, nint fmt, nint vl, byte* line, int lineSize, int* printPrefix);
    [LibraryImport(AvUtil)] public static partial int av_frame_copy_props(nint dst, nint src);

    // ---- libavcodec ------------------------------------------------------------------------
    [LibraryImport(AvCodec)] public static partial uint avcodec_version();
    [LibraryImport(AvCodec, StringMarshalling = StringMarshalling.Utf8)] public static partial nint avcodec_find_encoder_by_name(string name);
    [LibraryImport(AvCodec)] public static partial nint avcodec_find_decoder(int codecId);
    [LibraryImport(AvCodec)] public static partial nint avcodec_alloc_context3(nint codec);
    [LibraryImport(AvCodec)] public static partial void avcodec_free_context(nint* ctx);
    [LibraryImport(AvCodec)] public static partial int avcodec_open2(nint ctx, nint codec, nint* options);
    [LibraryImport(AvCodec)] public static partial int avcodec_send_frame(nint ctx, nint frame);
    [LibraryImport(AvCodec)] public static partial int avcodec_receive_packet(nint ctx, nint packet);
    [LibraryImport(AvCodec)] public static partial int avcodec_send_packet(nint ctx, nint packet);
    [LibraryImport(AvCodec)] public static partial int avcodec_receive_frame(nint ctx, nint frame);
    [LibraryImport(AvCodec)] public static partial void avcodec_flush_buffers(nint ctx);
    [LibraryImport(AvCodec)] public static partial int avcodec_parameters_from_context(nint par, nint ctx);
    [LibraryImport(AvCodec)] public static partial int avcodec_parameters_to_context(nint ctx, nint par);
    [LibraryImport(AvCodec)] public static partial int avcodec_parameters_copy(nint dst, nint src);
    [LibraryImport(AvCodec)] public static partial nint avcodec_get_name(int codecId);
    [LibraryImport(AvCodec)] public static partial nint avcodec_profile_name(int codecId, int profile);
    [LibraryImport(AvCodec)] public static partial nint av_packet_alloc();
    [LibraryImport(AvCodec)] public static partial void av_packet_free(nint* packet);
    [LibraryImport(AvCodec)] public static partial void av_packet_unref(nint packet);
    [LibraryImport(AvCodec)] public static partial nint av_packet_clone(nint packet);
    [LibraryImport(AvCodec)] public static partial int av_new_packet(nint packet, int size);
    [LibraryImport(AvCodec)] public static partial byte* av_packet_new_side_data(nint packet, int type, nuint size);
    [LibraryImport(AvCodec)] public static partial nint avcodec_parameters_alloc();
    [LibraryImport(AvCodec)] public static partial void avcodec_parameters_free(nint* par);
    [LibraryImport(AvCodec)] public static partial void av_packet_move_ref(nint dst, nint src);
    [LibraryImport(AvCodec)] public static partial void av_packet_rescale_ts(nint packet, AVRational src, AVRational dst);

    // ---- libavformat -----------------------------------------------------------------------
    [LibraryImport(AvFormat)] public static partial uint avformat_version();
    [LibraryImport(AvFormat, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_alloc_output_context2(nint* ctx, nint oformat, string? formatName, string? filename);
    [LibraryImport(AvFormat)] public static partial nint avformat_new_stream(nint ctx, nint codec);
    [LibraryImport(AvFormat, StringMarshalling = StringMarshalling.Utf8)] public static partial int avio_open2(nint* pb, string url, int flags, nint interruptCb, nint* options);
    [LibraryImport(AvFormat)] public static partial int avio_closep(nint* pb);
    [LibraryImport(AvFormat)] public static partial long avio_seek(nint pb, long offset, int whence);
    [LibraryImport(AvFormat)] public static partial nint avformat_alloc_context();
    [LibraryImport(AvFormat)] public static partial int avformat_write_header(nint ctx, nint* options);
    [LibraryImport(AvFormat)] public static partial int av_interleaved_write_frame(nint ctx, nint packet);
    [LibraryImport(AvFormat)] public static partial int av_write_trailer(nint ctx);
    [LibraryImport(AvFormat)] public static partial void avformat_free_context(nint ctx);
    [LibraryImport(AvFormat, StringMarshalling = StringMarshalling.Utf8)] public static partial int avformat_open_input(nint* ctx, string url, nint fmt, nint* options);
    [LibraryImport(AvFormat)] public static partial void avformat_close_input(nint* ctx);
    [LibraryImport(AvFormat)] public static partial int avformat_find_stream_info(nint ctx, nint* options);
    [LibraryImport(AvFormat)] public static partial int av_find_best_stream(nint ctx, int type, int wanted, int related, nint* decoder, int flags);
    [LibraryImport(AvFormat)] public static partial int av_read_frame(nint ctx, nint packet);
    [LibraryImport(AvFormat)] public static partial int avformat_seek_file(nint ctx, int streamIndex, long minTs, long ts, long maxTs, int flags);
    [LibraryImport(AvFormat)] public static partial int av_index_search_timestamp(nint stream, long timestamp, int flags);
    [LibraryImport(AvFormat)] public static partial nint avformat_index_get_entry(nint stream, int idx);
    [LibraryImport(AvFormat)] public static partial nint av_stream_get_side_data(nint stream, int type, nuint* size);
    [LibraryImport(AvFormat)] public static partial nint av_stream_new_side_data(nint stream, int type, nuint size);
    [LibraryImport(AvFormat)] public static partial int avformat_index_get_entries_count(nint stream);
    [LibraryImport(AvFormat)] public static partial AVRational av_guess_sample_aspect_ratio(nint formatCtx, nint stream, nint frame);

    // ---- libswscale / libswresample -------------------------------------------------------
    [LibraryImport(SwScale)] public static partial uint swscale_version();
    [LibraryImport(SwScale)] public static partial nint sws_getContext(int srcW, int srcH, int srcFormat, int dstW, int dstH, int dstFormat, int flags, nint srcFilter, nint dstFilter, double* param);
    [LibraryImport(SwScale)] public static partial int sws_scale(nint ctx, byte** srcSlice, int* srcStride, int srcSliceY, int srcSliceH, byte** dst, int* dstStride);
    [LibraryImport(SwScale)] public static partial void sws_freeContext(nint ctx);
    [LibraryImport(SwScale)] public static partial int* sws_getCoefficients(int colorspace);
    [LibraryImport(SwScale)] public static partial int sws_setColorspaceDetails(nint ctx, int* invTable, int srcRange, int* table, int dstRange, int brightness, int contrast, int saturation);
    [LibraryImport(SwResample)] public static partial uint swresample_version();
    [LibraryImport(SwResample)] public static partial int swr_alloc_set_opts2(nint* ps, nint outChLayout, int outSampleFmt, int outSampleRate, nint inChLayout, int inSampleFmt, int inSampleRate, int logOffset, nint logCtx);
    [LibraryImport(SwResample)] public static partial int swr_init(nint s);
    [LibraryImport(SwResample)] public static partial int swr_convert(nint s, byte** output, int outCount, byte** input, int inCount);
    [LibraryImport(SwResample)] public static partial void swr_free(nint* s);
    [LibraryImport(SwResample)] public static partial void swr_close(nint s);

    // ---- helpers ----------------------------------------------------------------------------
    public static string ErrorText(int err)
    {
        byte* buf = stackalloc byte[AvConst.ErrorMaxStringSize * 2];
        if (av_strerror(err, buf, (nuint)(AvConst.ErrorMaxStringSize * 2)) < 0) return $"error {err}";
        return Marshal.PtrToStringUTF8((nint)buf) ?? $"error {err}";
    }

    public static string? CodecName(int codecId) => Marshal.PtrToStringUTF8(avcodec_get_name(codecId));
    public static string? PixelFormatName(int fmt) => fmt < 0 ? null : Marshal.PtrToStringUTF8(av_get_pix_fmt_name(fmt));
    public static string? SampleFormatName(int fmt) => fmt < 0 ? null : Marshal.PtrToStringUTF8(av_get_sample_fmt_name(fmt));

    public static string? ChannelLayoutName(nint chLayout)
    {
        byte* buf = stackalloc byte[128];
        return av_channel_layout_describe(chLayout, buf, 128) < 0 ? null : Marshal.PtrToStringUTF8((nint)buf);
    }

    public static AVRational RationalAt(nint structPtr, int offset) => Field<AVRational>(structPtr, offset);
}
