using System.Runtime.InteropServices;

namespace ReelSpeed.Engine.Media.Native;

/// <summary>
/// The few libx264 calls the engine makes itself, on the encoder libavcodec's libx264 wrapper opened
/// (<see cref="X264Reconstruction"/>): libx264 build 164 (<c>libx264.so.164</c>, Debian 12's 0.164.3095), the library
/// libavcodec 59 is linked against, so both drive one library. Struct fields go through <see cref="X264Layout"/>.
/// </summary>
internal static unsafe partial class LibX264
{
    public const string Lib = "libx264.so.164";

    /// <summary>x264.h's X264_BUILD that <see cref="X264Layout"/> was taken from; the library exports <c>x264_encoder_open_164</c>.</summary>
    public const int Build = 164;

    [LibraryImport(Lib, EntryPoint = "x264_encoder_open_164")] public static partial nint x264_encoder_open(nint param);
    [LibraryImport(Lib)] public static partial void x264_encoder_close(nint encoder);
    [LibraryImport(Lib)] public static partial void x264_encoder_parameters(nint encoder, nint param);
    [LibraryImport(Lib)] public static partial int x264_encoder_headers(nint encoder, nint* nals, int* count);
    [LibraryImport(Lib)] public static partial int x264_encoder_encode(nint encoder, nint* nals, int* count, nint pictureIn, nint pictureOut);
    [LibraryImport(Lib)] public static partial int x264_encoder_delayed_frames(nint encoder);
    [LibraryImport(Lib)] public static partial void x264_picture_init(nint picture);

    /// <summary>
    /// Whether <see cref="Lib"/> is the libx264 libavcodec drives: its <c>x264_encoder_open_164</c> is the one found from
    /// libavcodec (itself and what it was linked with), so an encoder libavcodec opened can be handed to this library.
    /// Linux only.
    /// </summary>
    public static bool Available => s_available.Value;

    private static readonly Lazy<bool> s_available = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return false;
        LibAvLoader.EnsureLoaded();
        const string Open = "x264_encoder_open_164";
        try
        {
            nint avcodec = dlopen(LibAv.AvCodec, RtldLazy | RtldNoLoad);
            if (avcodec == 0) return false;
            nint theirs = dlsym(avcodec, Open);
            dlclose(avcodec);
            return theirs != 0 && NativeLibrary.TryLoad(Lib, typeof(LibX264).Assembly, null, out var handle)
                && NativeLibrary.TryGetExport(handle, Open, out var ours) && ours == theirs;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    private const int RtldLazy = 0x1, RtldNoLoad = 0x4;

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)] private static partial nint dlopen(string file, int mode);
    [LibraryImport("libc.so.6")] private static partial int dlclose(nint handle);
    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)] private static partial nint dlsym(nint handle, string symbol);
}

/// <summary>
/// Offsets (bytes) and constants of x264.h at build 164 (libx264-dev 2:0.164.3095+gitbaee400-3, 64-bit), from offsetof()
/// and sizeof() on the real header (<c>scripts/abi/x264layout.c</c>), and of libavcodec 5.1's private <c>X264Context</c>
/// (libavcodec/libx264.c: an <c>AVClass *</c>, then the <c>x264_param_t</c> it opened the encoder with, then the <c>x264_t *</c>).
/// </summary>
internal static class X264Layout
{
    public const int ParamSize = 1024;
    public const int PictureSize = 240;
    public const int NalSize = 40;

    internal static class Param
    {
        public const int Width = 28; // int
        public const int Height = 32; // int
        public const int Csp = 36; // int
        public const int BitDepth = 40; // int
        public const int FullRecon = 532; // int b_full_recon
    }

    internal static class Picture
    {
        public const int Type = 0; // int i_type
        public const int QpPlus1 = 4; // int i_qpplus1
        public const int KeyFrame = 12; // int b_keyframe
        public const int Pts = 16; // int64_t
        public const int Dts = 24; // int64_t
        public const int ImgCsp = 40; // int img.i_csp
        public const int ImgPlanes = 44; // int img.i_plane
        public const int ImgStride = 48; // int img.i_stride[4]
        public const int ImgPlane = 64; // uint8_t *img.plane[4]
    }

    internal static class Nal
    {
        public const int Type = 4; // int i_type
        public const int Payload = 20; // int i_payload
        public const int PayloadData = 24; // uint8_t *p_payload
    }

    /// <summary>libavcodec 5.1's <c>X264Context</c>: <c>params</c> after the class pointer, <c>enc</c> after <c>params</c>.</summary>
    internal static class WrapperContext
    {
        public const int Params = 8;
        public const int Encoder = Params + ParamSize;
    }

    public const int CspI420 = 0x0002;
    public const int CspNv12 = 0x0004;
    public const int TypeAuto = 0, TypeIdr = 1, TypeI = 2, TypeP = 3, TypeBref = 4, TypeB = 5, TypeKeyframe = 6;
    public const int NalSei = 6;
}
