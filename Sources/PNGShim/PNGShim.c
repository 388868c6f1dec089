#include "PNGShim.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

typedef struct {
    char *buffer;
    size_t capacity;
} error_sink;

static void on_error(png_structp png, png_const_charp message) {
    error_sink *sink = (error_sink *)png_get_error_ptr(png);
    if (sink && sink->buffer && sink->capacity > 0) {
        snprintf(sink->buffer, sink->capacity, "%s", message);
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message; /* Warnings (e.g. bad sRGB chunks) do not stop decoding. */
}

int lip_png_read(const char *path, lip_png_image *image, char *error, size_t error_capacity) {
    memset(image, 0, sizeof(*image));
    error_sink sink = {error, error_capacity};
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(error, error_capacity, "cannot open file");
        return 1;
    }
    unsigned char signature[8];
    if (fread(signature, 1, 8, file) != 8 || png_sig_cmp(signature, 0, 8) != 0) {
        snprintf(error, error_capacity, "not a PNG file (bad signature)");
        fclose(file);
        return 2;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &sink, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(error, error_capacity, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        fclose(file);
        return 3;
    }
    /* volatile: assigned after setjmp and read after a longjmp back to it (C11 7.13.2.1). */
    png_bytep *volatile rows = NULL;
    png_bytep volatile pixels = NULL;
    float *volatile samples = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(pixels);
        free(samples);
        png_destroy_read_struct(&png, &info, NULL);
        fclose(file);
        return 4;
    }
    png_init_io(png, file);
    png_set_sig_bytes(png, 8);
    /* Refuse absurd sizes before allocating: 32768 a side, and (below) 2 GiB of samples. */
    png_set_user_limits(png, 32768, 32768);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    int color_type = png_get_color_type(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int channels = png_get_channels(png, info);
    int out_depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if ((double)width * height * channels * sizeof(float) > 2147483648.0) {
        snprintf(error, error_capacity, "image of %ux%u with %d channels is too large (over 2 GiB of samples)", width, height, channels);
        png_longjmp(png, 1);
    }
    pixels = (png_bytep)malloc(row_bytes * height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    samples = (float *)malloc(sizeof(float) * (size_t)width * height * channels);
    if (!pixels || !rows || !samples) {
        snprintf(error, error_capacity, "out of memory for %ux%u image", width, height);
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    size_t count = (size_t)width * height * channels;
    if (out_depth == 16) {
        for (size_t i = 0; i < count; i++) {
            unsigned value = ((unsigned)pixels[2 * i] << 8) | pixels[2 * i + 1];
            samples[i] = (float)value / 65535.0f;
        }
    } else {
        for (size_t i = 0; i < count; i++) samples[i] = (float)pixels[i] / 255.0f;
    }
    free(rows);
    free(pixels);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    image->width = width;
    image->height = height;
    image->channels = channels;
    image->bit_depth = bit_depth;
    image->color_type = color_type;
    image->samples = samples;
    return 0;
}

void lip_png_free(lip_png_image *image) {
    free(image->samples);
    image->samples = NULL;
}

int lip_png_write(int descriptor, const uint8_t *samples, uint32_t width, uint32_t height,
                  int channels, char *error, size_t error_capacity) {
    error_sink sink = {error, error_capacity};
    if (channels != 1 && channels != 3) {
        snprintf(error, error_capacity, "can only write gray or RGB, not %d channels", channels);
        return 1;
    }
    /* A duplicate: fclose below closes it, and the caller closes its own descriptor. */
    int own = dup(descriptor);
    FILE *file = own >= 0 ? fdopen(own, "wb") : NULL;
    if (!file) {
        snprintf(error, error_capacity, "cannot write to the file: %s", strerror(errno));
        if (own >= 0) close(own);
        return 2;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(error, error_capacity, "out of memory");
        png_destroy_write_struct(&png, &info);
        fclose(file);
        return 3;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(file);
        return 4;
    }
    png_init_io(png, file);
    png_set_IHDR(png, info, width, height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(samples + (size_t)y * width * channels));
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fclose(file) != 0) {
        snprintf(error, error_capacity, "cannot finish writing (disk full?)");
        return 5;
    }
    return 0;
}
