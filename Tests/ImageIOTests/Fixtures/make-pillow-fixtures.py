#!/usr/bin/env python3
"""Writes the fixtures of PillowResizeTests: a 64x64 RGB test card and Pillow's LANCZOS
resizes of it (the way DIP and LIP make super-resolution inputs: Image.resize on the
8-bit image). Run from this folder: python3 make-pillow-fixtures.py (needs Pillow, numpy)."""
import numpy as np
from PIL import Image
import PIL

rng = np.random.RandomState(2026)
y, x = np.mgrid[0:64, 0:64]
card = np.zeros((64, 64, 3), dtype=np.float64)
card[..., 0] = 255 * x / 63                                  # horizontal ramp
card[..., 1] = 255 * ((x // 8 + y // 8) % 2)                 # checkerboard: sharp edges, ringing
card[..., 2] = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 5.0)  # smooth waves
card += rng.normal(0, 12, card.shape)                        # texture
card = np.clip(np.rint(card), 0, 255).astype(np.uint8)
image = Image.fromarray(card, "RGB")
image.save("card.png")
for width, height in [(16, 16), (8, 8), (40, 24), (96, 80)]:
    image.resize((width, height), Image.LANCZOS).save(f"card-lanczos-{width}x{height}.png")
print("Pillow", PIL.__version__)
