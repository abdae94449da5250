/* Prints the x264.h offsets and sizes that Engine/Media/Native/LibX264.cs (X264Layout) holds, to check them
 * against a libx264-dev header: cc -I/usr/include scripts/abi/x264layout.c -o /tmp/x && /tmp/x */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <x264.h>

#define OFF(t, f) printf("%-24s %-22s %zu\n", #t, #f, offsetof(t, f))

int main(void)
{
    printf("X264_BUILD %d\n", X264_BUILD);
    printf("sizeof x264_param_t %zu, x264_picture_t %zu, x264_nal_t %zu\n",
           sizeof(x264_param_t), sizeof(x264_picture_t), sizeof(x264_nal_t));
    OFF(x264_param_t, i_width);
    OFF(x264_param_t, i_height);
    OFF(x264_param_t, i_csp);
    OFF(x264_param_t, i_bitdepth);
    OFF(x264_param_t, b_full_recon);
    OFF(x264_picture_t, i_type);
    OFF(x264_picture_t, i_qpplus1);
    OFF(x264_picture_t, b_keyframe);
    OFF(x264_picture_t, i_pts);
    OFF(x264_picture_t, i_dts);
    OFF(x264_picture_t, img.i_csp);
    OFF(x264_picture_t, img.i_plane);
    OFF(x264_picture_t, img.i_stride);
    OFF(x264_picture_t, img.plane);
    OFF(x264_nal_t, i_type);
    OFF(x264_nal_t, i_payload);
    OFF(x264_nal_t, p_payload);
    printf("X264_CSP_I420 %d X264_CSP_NV12 %d NAL_SEI %d\n", X264_CSP_I420, X264_CSP_NV12, NAL_SEI);
    return 0;
}
