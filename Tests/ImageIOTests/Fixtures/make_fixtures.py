"""Writes the small PNG fixtures of the ImageIO tests with a minimal encoder (zlib +
struct only), so that each file's exact samples are known. Run: python3 make_fixtures.py"""
import struct
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(path, width, height, bit_depth, color_type, rows, extra=b""):
    """rows: list of raw scanline bytes (filter type 0 is prepended here)."""
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def u16(values):
    return b"".join(struct.pack(">H", v) for v in values)


# 16-bit gray, 3x2
png("gray16.png", 3, 2, 16, 0, [u16([0, 1000, 65535]), u16([32768, 12345, 54321])])
# 16-bit RGB, 2x1
png("rgb16.png", 2, 1, 16, 2, [u16([65535, 0, 256, 1, 2, 3])])
# 8-bit gray + alpha, 2x1
png("graya8.png", 2, 1, 8, 4, [bytes([10, 255, 200, 0])])
# 8-bit RGBA, 2x1
png("rgba8.png", 2, 1, 8, 6, [bytes([255, 0, 0, 128, 1, 2, 3, 4])])
# palette, 3x1, with transparency for entry 0
palette = bytes([0, 0, 0, 255, 128, 0, 10, 20, 30])
png("palette8.png", 3, 1, 8, 3, [bytes([2, 1, 0])], chunk(b"PLTE", palette) + chunk(b"tRNS", bytes([0])))
# 1-bit gray, 8x1: 1 0 1 1 0 0 1 0
png("gray1.png", 8, 1, 1, 0, [bytes([0b10110010])])
