using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// The display rotation of a video stream, from its display-matrix side data (MP4/MOV
/// <c>tkhd</c> matrix, Matroska projection, phone recordings held upright).
/// </summary>
/// <remarks>
/// <para>The rotation is the clockwise angle by which a player turns the decoded picture
/// before showing it: 90 means the stored frames are landscape and the clip is watched
/// portrait with the stored top edge on the right. This is what <c>ffmpeg</c>'s autorotate
/// applies and what the legacy <c>rotate</c> tag said.</para>
/// <para><c>av_display_rotation_get</c> (and ffprobe's side-data <c>rotation</c>) is the
/// counterclockwise angle, so <c>rotation = (360 - ffprobeRotation) mod 360</c>.</para>
/// <para>Decoders (VideoDecoder/VideoFrameSource) can call <see cref="RotationOf"/> on the
/// stream they decode to turn frames upright.</para>
/// </remarks>
internal static unsafe class DisplayMatrix
{
    /// <summary>Clockwise display rotation of <paramref name="stream"/> (an AVStream*): 0, 90, 180 or 270.</summary>
    public static int RotationOf(nint stream)
    {
        nuint size = 0;
        var data = LibAv.av_stream_get_side_data(stream, AvConst.PktDataDisplayMatrix, &size);
        if (data == 0 || size < 9 * sizeof(int)) return 0;
        return FromMatrix((int*)data);
    }

    /// <summary>Clockwise rotation (0/90/180/270) of a 3x3 display matrix (9 int32, 16.16 and 2.30 fixed point).</summary>
    public static int FromMatrix(int* matrix)
    {
        double counterclockwise = LibAv.av_display_rotation_get(matrix);
        return double.IsFinite(counterclockwise) ? Normalise(-counterclockwise) : 0;
    }

    /// <summary>An angle in degrees (any sign, any size) to the nearest of 0, 90, 180, 270.</summary>
    public static int Normalise(double clockwiseDegrees)
    {
        int quarter = (int)Math.Round(clockwiseDegrees / 90, MidpointRounding.AwayFromZero);
        return ((quarter % 4) + 4) % 4 * 90;
    }

    /// <summary>True when the rotation turns the picture on its side, so width and height swap on screen.</summary>
    public static bool SwapsAxes(int rotation) => rotation is 90 or 270;
}
