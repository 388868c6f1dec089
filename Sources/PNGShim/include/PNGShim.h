#ifndef LIP_PNG_SHIM_H
#define LIP_PNG_SHIM_H
#include <stddef.h>
#include <stdint.h>

/// A decoded PNG: interleaved (height, width, channels) samples scaled to [0, 1].
/// `channels` is 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) after palette and
/// low-bit-depth expansion; `bit_depth` is the file's own depth (1, 2, 4, 8 or 16).
typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;
    int bit_depth;
    int color_type;
    float *samples;
} lip_png_image;

/// Reads a PNG file. Returns 0 on success; otherwise writes a message into `error`
/// (at most `error_capacity` bytes) and returns non-zero. libpng reports errors by
/// longjmp, which must never cross Swift frames: this shim owns the setjmp.
int lip_png_read(const char *path, lip_png_image *image, char *error, size_t error_capacity);

/// Releases the samples of an image returned by lip_png_read.
void lip_png_free(lip_png_image *image);

/// Writes 8-bit gray (channels 1) or RGB (channels 3) interleaved samples to an open
/// file (the caller owns `descriptor`: `AtomicFile` gives a fresh temporary one).
int lip_png_write(int descriptor, const uint8_t *samples, uint32_t width, uint32_t height,
                  int channels, char *error, size_t error_capacity);

#endif
