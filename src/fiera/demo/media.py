"""The demo's pictures, drawn offline with Pillow: a picture for every product and a logo
for every store, so no page of the demo shows an empty box.

A product's picture is a pictogram of what it is (a bottle for oil and wine, a cup for
coffee, a shirt, a jar, a chair ...) in its category's colours on a soft background. To
keep ``fiera demo`` fast only a bounded set is drawn, each pictogram in ``TINTS`` tints
and angles, and many products share the same stored file (``ProductImage`` rows point to
it; deleting one product's picture leaves a shared file alone). Store logos are
monograms: the store's initials on a colour picked from its name. Files go through the
default storage under ``demo/`` with names that say what they show, and a file already
there is not drawn again, so a second ``fiera demo`` costs only the rows.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from PIL import Image, ImageDraw, ImageFont

from fiera.catalog.models import Product, ProductImage, Variant
from fiera.demo import vocabulary as vocab
from fiera.demo.abroad import COUNTRIES
from fiera.merchants.models import Merchant, Store
from fiera.merchants.selectors import region_name

SIZE = 560  # the stored picture, square; the thumbnail is the same file
SCALE = 2  # drawn at twice the size, then reduced: smooth edges without anti-aliasing
TINTS = 3  # variants of each pictogram (hue, angle)
LOGO_SIZE = 240
FEATURED_PER_MARKETPLACE = 6
VERSION = "v2"  # part of the file names: bump it when the drawings change

Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]


# --- colours --------------------------------------------------------------------------------

# A hue per category root (0-1) and its saturation: food warm, wine deep red, beauty rose ...
PALETTES: dict[str, tuple[float, float]] = {
    "fashion": (0.62, 0.35),
    "leather": (0.07, 0.55),
    "jewellery": (0.12, 0.60),
    "beauty": (0.93, 0.40),
    "food": (0.10, 0.65),
    "wine": (0.97, 0.60),
    "home": (0.45, 0.30),
    "sport": (0.55, 0.60),
}


def _rgb(hue: float, saturation: float, lightness: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return (round(r * 255), round(g * 255), round(b * 255))


@dataclass(frozen=True)
class Colours:
    background_top: RGB
    background_bottom: RGB
    disc: RGB
    ink: RGB  # the pictogram
    accent: RGB  # its highlights (labels, caps)
    light: RGB


def _colours(root: str, tint: int) -> Colours:
    hue, saturation = PALETTES.get(root, (0.40, 0.30))
    hue += (tint - 1) * 0.035
    return Colours(
        background_top=_rgb(hue, saturation * 0.55, 0.95),
        background_bottom=_rgb(hue + 0.02, saturation * 0.60, 0.86),
        disc=_rgb(hue, saturation * 0.45, 0.98),
        ink=_rgb(hue, saturation, 0.36 + 0.04 * tint),
        accent=_rgb(hue + 0.08, min(1.0, saturation + 0.2), 0.62),
        light=_rgb(hue, saturation * 0.4, 0.90),
    )


# --- pictograms -----------------------------------------------------------------------------
# Each draws into a square of side s (already scaled) on ``d``; coordinates are fractions.


class Pen:
    def __init__(self, draw: ImageDraw.ImageDraw, side: int, colours: Colours) -> None:
        self.d, self.s, self.c = draw, side, colours

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (x * self.s, y * self.s)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        return (x0 * self.s, y0 * self.s, x1 * self.s, y1 * self.s)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: RGB, r: float = 0) -> None:
        self.d.rounded_rectangle(self.box(x0, y0, x1, y1), radius=r * self.s, fill=fill)

    def oval(self, x0: float, y0: float, x1: float, y1: float, fill: RGB | None = None,
             outline: RGB | None = None, width: float = 0) -> None:  # fmt: skip
        self.d.ellipse(
            self.box(x0, y0, x1, y1), fill=fill, outline=outline, width=round(width * self.s)
        )

    def poly(self, points: list[tuple[float, float]], fill: RGB) -> None:
        self.d.polygon([self.p(x, y) for x, y in points], fill=fill)

    def line(self, points: list[tuple[float, float]], fill: RGB, width: float) -> None:
        self.d.line([self.p(x, y) for x, y in points], fill=fill, width=round(width * self.s),
                    joint="curve")  # fmt: skip

    def arc(self, box: Box, start: float, end: float, fill: RGB, width: float) -> None:
        self.d.arc(self.box(*box), start, end, fill=fill, width=round(width * self.s))


def bottle(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.44, 0.14, 0.56, 0.34, c.ink, 0.02)
    pen.rect(0.43, 0.12, 0.57, 0.18, c.accent, 0.02)
    pen.rect(0.35, 0.30, 0.65, 0.86, c.ink, 0.09)
    pen.rect(0.38, 0.50, 0.62, 0.70, c.light, 0.02)
    pen.rect(0.42, 0.56, 0.58, 0.58, c.accent)
    pen.rect(0.42, 0.62, 0.54, 0.64, c.accent)


def flute(pen: Pen) -> None:  # sparkling wine: a bottle with foil
    bottle(pen)
    pen.rect(0.43, 0.12, 0.57, 0.26, pen.c.accent, 0.03)


def jar(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.30, 0.24, 0.70, 0.34, c.accent, 0.03)
    pen.rect(0.28, 0.32, 0.72, 0.82, c.ink, 0.08)
    pen.rect(0.33, 0.46, 0.67, 0.66, c.light, 0.03)
    pen.oval(0.45, 0.50, 0.55, 0.62, c.accent)


def pump(pen: Pen) -> None:  # shampoo, soap, serum
    c = pen.c
    pen.rect(0.46, 0.16, 0.62, 0.20, c.accent, 0.01)
    pen.rect(0.47, 0.18, 0.53, 0.30, c.accent)
    pen.rect(0.42, 0.28, 0.58, 0.34, c.ink, 0.02)
    pen.rect(0.34, 0.33, 0.66, 0.86, c.ink, 0.07)
    pen.rect(0.39, 0.50, 0.61, 0.72, c.light, 0.03)


def perfume(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.43, 0.18, 0.57, 0.32, c.accent, 0.03)
    pen.rect(0.47, 0.30, 0.53, 0.38, c.ink)
    pen.rect(0.28, 0.36, 0.72, 0.82, c.ink, 0.10)
    pen.rect(0.34, 0.44, 0.52, 0.74, c.light, 0.06)


def lipstick(pen: Pen) -> None:
    c = pen.c
    pen.poly([(0.43, 0.36), (0.43, 0.20), (0.57, 0.14), (0.57, 0.36)], c.accent)
    pen.rect(0.40, 0.34, 0.60, 0.50, c.light, 0.02)
    pen.rect(0.38, 0.48, 0.62, 0.86, c.ink, 0.04)


def cup(pen: Pen) -> None:
    c = pen.c
    for x in (0.40, 0.50, 0.60):
        pen.arc((x - 0.04, 0.16, x + 0.04, 0.26), 90, 270, c.accent, 0.015)
        pen.arc((x - 0.04, 0.24, x + 0.04, 0.34), 270, 90, c.accent, 0.015)
    pen.oval(0.18, 0.74, 0.82, 0.86, c.light)
    pen.oval(0.60, 0.44, 0.80, 0.66, None, c.ink, 0.045)
    pen.d.chord(pen.box(0.24, 0.22, 0.72, 0.84), 0, 180, fill=c.ink)
    pen.rect(0.24, 0.40, 0.72, 0.54, c.ink)


def chocolate(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.26, 0.18, 0.74, 0.84, c.ink, 0.04)
    for row in range(4):
        for col in range(2):
            x, y = 0.30 + col * 0.23, 0.22 + row * 0.155
            pen.rect(x, y, x + 0.19, y + 0.125, c.accent, 0.02)
    pen.poly([(0.26, 0.62), (0.74, 0.50), (0.74, 0.84), (0.26, 0.84)], c.light)


def panettone(pen: Pen) -> None:
    c = pen.c
    pen.d.chord(pen.box(0.24, 0.16, 0.76, 0.56), 180, 360, fill=c.accent)
    pen.rect(0.26, 0.36, 0.74, 0.82, c.ink, 0.04)
    pen.rect(0.26, 0.50, 0.74, 0.58, c.light)


def pasta(pen: Pen) -> None:
    c = pen.c
    pen.d.chord(pen.box(0.16, 0.30, 0.84, 0.86), 0, 180, fill=c.ink)
    pen.rect(0.16, 0.56, 0.84, 0.59, c.ink)
    for i in range(7):
        x = 0.30 + i * 0.065
        pen.line([(x, 0.56), (x + 0.04 * math.sin(i), 0.34), (x - 0.02, 0.20)], c.accent, 0.02)


def cheese(pen: Pen) -> None:
    c = pen.c
    pen.poly([(0.18, 0.72), (0.82, 0.72), (0.82, 0.44), (0.18, 0.60)], c.accent)
    pen.poly([(0.18, 0.60), (0.82, 0.44), (0.60, 0.30)], c.light)
    pen.rect(0.18, 0.60, 0.82, 0.78, c.ink, 0.02)
    for x, y, r in ((0.34, 0.66, 0.035), (0.58, 0.70, 0.03), (0.70, 0.58, 0.04)):
        pen.oval(x - r, y - r, x + r, y + r, c.light)


def ham(pen: Pen) -> None:  # a cured ham on its board
    c = pen.c
    pen.rect(0.14, 0.74, 0.86, 0.82, c.light, 0.02)
    pen.poly([(0.22, 0.56), (0.62, 0.26), (0.74, 0.34), (0.50, 0.72), (0.30, 0.74)], c.ink)
    pen.oval(0.18, 0.44, 0.52, 0.76, c.ink)
    pen.oval(0.24, 0.50, 0.46, 0.70, c.accent)
    pen.rect(0.64, 0.20, 0.80, 0.32, c.light, 0.05)


def shirt(pen: Pen) -> None:
    c = pen.c
    pen.poly(
        [(0.36, 0.18), (0.18, 0.30), (0.24, 0.46), (0.32, 0.42), (0.32, 0.84), (0.68, 0.84),
         (0.68, 0.42), (0.76, 0.46), (0.82, 0.30), (0.64, 0.18)],
        c.ink,
    )  # fmt: skip
    pen.poly([(0.42, 0.18), (0.50, 0.30), (0.58, 0.18)], c.light)
    for y in (0.40, 0.52, 0.64, 0.76):
        pen.oval(0.49, y, 0.51 + 0.005, y + 0.02, c.accent)


def jacket(pen: Pen) -> None:
    shirt(pen)
    c = pen.c
    pen.poly([(0.42, 0.18), (0.48, 0.58), (0.40, 0.40)], c.accent)
    pen.poly([(0.58, 0.18), (0.52, 0.58), (0.60, 0.40)], c.accent)


def dress(pen: Pen) -> None:
    c = pen.c
    pen.poly([(0.40, 0.16), (0.60, 0.16), (0.58, 0.42), (0.42, 0.42)], c.ink)
    pen.poly([(0.42, 0.40), (0.58, 0.40), (0.78, 0.86), (0.22, 0.86)], c.ink)
    pen.rect(0.41, 0.40, 0.59, 0.45, c.accent)


def trousers(pen: Pen) -> None:
    c = pen.c
    pen.poly(
        [(0.32, 0.16), (0.68, 0.16), (0.72, 0.86), (0.54, 0.86), (0.50, 0.40), (0.46, 0.86),
         (0.28, 0.86)],
        c.ink,
    )  # fmt: skip
    pen.rect(0.32, 0.16, 0.68, 0.22, c.accent)


def tie(pen: Pen) -> None:
    c = pen.c
    pen.poly([(0.44, 0.16), (0.56, 0.16), (0.53, 0.26), (0.47, 0.26)], c.accent)
    pen.poly([(0.47, 0.26), (0.53, 0.26), (0.62, 0.72), (0.50, 0.86), (0.38, 0.72)], c.ink)
    for y in (0.40, 0.54, 0.68):
        pen.line([(0.44, y), (0.58, y - 0.06)], c.light, 0.015)


def bag(pen: Pen) -> None:
    c = pen.c
    pen.arc((0.34, 0.14, 0.66, 0.50), 180, 360, c.ink, 0.04)
    pen.rect(0.22, 0.32, 0.78, 0.82, c.ink, 0.07)
    pen.rect(0.22, 0.32, 0.78, 0.46, c.accent, 0.05)
    pen.rect(0.46, 0.42, 0.54, 0.50, c.light, 0.01)


def wallet(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.18, 0.32, 0.82, 0.74, c.ink, 0.06)
    pen.rect(0.54, 0.44, 0.86, 0.62, c.accent, 0.05)
    pen.oval(0.60, 0.50, 0.66, 0.56, c.light)


def shoe(pen: Pen) -> None:
    c = pen.c
    pen.poly(
        [(0.16, 0.30), (0.34, 0.30), (0.40, 0.46), (0.70, 0.54), (0.84, 0.62), (0.84, 0.72),
         (0.16, 0.72)],
        c.ink,
    )  # fmt: skip
    pen.rect(0.14, 0.70, 0.86, 0.78, c.accent, 0.02)
    for x in (0.42, 0.50, 0.58):
        pen.line([(x, 0.46), (x + 0.04, 0.52)], c.light, 0.015)


def boot(pen: Pen) -> None:
    c = pen.c
    pen.poly([(0.30, 0.16), (0.54, 0.16), (0.56, 0.56), (0.80, 0.64), (0.80, 0.78), (0.28, 0.78)],
             c.ink)  # fmt: skip
    pen.rect(0.26, 0.76, 0.82, 0.84, c.accent, 0.02)
    pen.rect(0.30, 0.16, 0.54, 0.22, c.light)


def ring(pen: Pen) -> None:
    c = pen.c
    pen.oval(0.26, 0.36, 0.74, 0.84, None, c.ink, 0.06)
    pen.poly([(0.40, 0.30), (0.60, 0.30), (0.66, 0.22), (0.50, 0.12), (0.34, 0.22)], c.accent)
    pen.poly([(0.40, 0.30), (0.60, 0.30), (0.50, 0.40)], c.light)


def necklace(pen: Pen) -> None:
    c = pen.c
    pen.arc((0.20, 0.04, 0.80, 0.66), 20, 160, c.ink, 0.025)
    pen.poly([(0.50, 0.62), (0.60, 0.72), (0.50, 0.86), (0.40, 0.72)], c.accent)


def watch(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.40, 0.10, 0.60, 0.90, c.ink, 0.05)
    pen.oval(0.28, 0.28, 0.72, 0.72, c.accent)
    pen.oval(0.32, 0.32, 0.68, 0.68, c.light)
    pen.line([(0.50, 0.50), (0.50, 0.38)], c.ink, 0.025)
    pen.line([(0.50, 0.50), (0.60, 0.54)], c.ink, 0.02)


def glasses(pen: Pen) -> None:
    c = pen.c
    pen.oval(0.14, 0.40, 0.46, 0.66, c.ink)
    pen.oval(0.54, 0.40, 0.86, 0.66, c.ink)
    pen.oval(0.19, 0.45, 0.41, 0.61, c.light)
    pen.oval(0.59, 0.45, 0.81, 0.61, c.light)
    pen.arc((0.42, 0.40, 0.58, 0.56), 200, 340, c.ink, 0.03)


def chair(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.32, 0.14, 0.68, 0.50, c.ink, 0.04)
    pen.rect(0.28, 0.48, 0.72, 0.58, c.accent, 0.02)
    pen.rect(0.31, 0.56, 0.36, 0.86, c.ink)
    pen.rect(0.64, 0.56, 0.69, 0.86, c.ink)


def armchair(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.26, 0.20, 0.74, 0.60, c.ink, 0.08)
    pen.rect(0.16, 0.42, 0.30, 0.76, c.accent, 0.05)
    pen.rect(0.70, 0.42, 0.84, 0.76, c.accent, 0.05)
    pen.rect(0.28, 0.56, 0.72, 0.74, c.light, 0.04)
    pen.rect(0.20, 0.74, 0.25, 0.84, c.ink)
    pen.rect(0.75, 0.74, 0.80, 0.84, c.ink)


def table(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.14, 0.40, 0.86, 0.48, c.ink, 0.02)
    pen.rect(0.20, 0.46, 0.25, 0.84, c.ink)
    pen.rect(0.75, 0.46, 0.80, 0.84, c.ink)
    pen.oval(0.44, 0.24, 0.56, 0.40, c.accent)


def bookcase(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.24, 0.12, 0.76, 0.88, c.ink, 0.02)
    for y in (0.16, 0.40, 0.64):
        pen.rect(0.28, y, 0.72, y + 0.20, c.light)
        for i, x in enumerate((0.31, 0.37, 0.43, 0.52)):
            pen.rect(x, y + 0.04 + 0.02 * (i % 2), x + 0.045, y + 0.20, c.accent, 0.01)


def lamp(pen: Pen) -> None:
    c = pen.c
    pen.poly([(0.34, 0.18), (0.66, 0.18), (0.76, 0.46), (0.24, 0.46)], c.accent)
    pen.rect(0.48, 0.46, 0.52, 0.78, c.ink)
    pen.oval(0.32, 0.76, 0.68, 0.86, c.ink)


def plates(pen: Pen) -> None:
    c = pen.c
    pen.oval(0.16, 0.20, 0.84, 0.88, c.ink)
    pen.oval(0.26, 0.30, 0.74, 0.78, c.light)
    pen.oval(0.36, 0.40, 0.64, 0.68, None, c.accent, 0.015)


def vase(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.42, 0.14, 0.58, 0.32, c.ink, 0.02)
    pen.oval(0.26, 0.28, 0.74, 0.88, c.ink)
    pen.d.chord(pen.box(0.30, 0.46, 0.70, 0.66), 0, 360, fill=c.accent)


def linen(pen: Pen) -> None:
    c = pen.c
    for i, y in enumerate((0.60, 0.44, 0.28)):
        pen.rect(0.18 + 0.02 * i, y, 0.82 - 0.02 * i, y + 0.17, c.ink if i % 2 == 0 else c.accent,
                 0.04)  # fmt: skip
        pen.rect(0.22 + 0.02 * i, y + 0.05, 0.78 - 0.02 * i, y + 0.07, c.light)


def wine_glass(pen: Pen) -> None:
    c = pen.c
    pen.d.chord(pen.box(0.30, 0.02, 0.70, 0.52), 0, 180, fill=c.ink)
    pen.d.chord(pen.box(0.33, 0.16, 0.67, 0.48), 0, 180, fill=c.accent)
    pen.rect(0.48, 0.50, 0.52, 0.78, c.ink)
    pen.oval(0.34, 0.76, 0.66, 0.84, c.ink)


def bicycle(pen: Pen) -> None:
    c = pen.c
    pen.oval(0.08, 0.48, 0.40, 0.80, None, c.ink, 0.035)
    pen.oval(0.60, 0.48, 0.92, 0.80, None, c.ink, 0.035)
    pen.line([(0.24, 0.64), (0.42, 0.40), (0.68, 0.40), (0.76, 0.64)], c.accent, 0.03)
    pen.line([(0.24, 0.64), (0.50, 0.64), (0.42, 0.40)], c.accent, 0.03)
    pen.line([(0.50, 0.64), (0.68, 0.40)], c.accent, 0.03)
    pen.rect(0.36, 0.32, 0.48, 0.36, c.ink, 0.01)


def helmet(pen: Pen) -> None:
    c = pen.c
    pen.d.chord(pen.box(0.16, 0.24, 0.84, 0.92), 180, 360, fill=c.ink)
    for x in (0.36, 0.50, 0.64):
        pen.rect(x - 0.03, 0.32, x + 0.03, 0.52, c.light, 0.02)
    pen.rect(0.16, 0.56, 0.84, 0.62, c.accent, 0.02)


def skis(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.30, 0.12, 0.40, 0.88, c.ink, 0.05)
    pen.rect(0.60, 0.12, 0.70, 0.88, c.ink, 0.05)
    pen.rect(0.28, 0.50, 0.42, 0.58, c.accent, 0.01)
    pen.rect(0.58, 0.50, 0.72, 0.58, c.accent, 0.01)


def ball(pen: Pen) -> None:
    c = pen.c
    pen.oval(0.20, 0.20, 0.80, 0.80, c.light)
    pen.oval(0.20, 0.20, 0.80, 0.80, None, c.ink, 0.03)
    centre = [
        (0.50 + 0.11 * math.cos(a), 0.50 + 0.11 * math.sin(a))
        for a in (math.radians(-90 + 72 * k) for k in range(5))
    ]
    pen.poly(centre, c.ink)
    for x, y in centre:
        pen.line([(x, y), (0.50 + (x - 0.50) * 2.6, 0.50 + (y - 0.50) * 2.6)], c.ink, 0.02)


def racket(pen: Pen) -> None:
    c = pen.c
    pen.rect(0.47, 0.58, 0.53, 0.90, c.ink, 0.02)
    pen.oval(0.28, 0.10, 0.72, 0.64, None, c.ink, 0.04)
    for k in range(1, 6):
        x = 0.28 + k * 0.0733
        pen.line([(x, 0.14), (x, 0.60)], c.accent, 0.008)
        y = 0.10 + k * 0.09
        pen.line([(0.31, y), (0.69, y)], c.accent, 0.008)


Drawer = Callable[[Pen], None]

# What each product type shows; a type not named here shows its category root's pictogram.
PICTOGRAMS: dict[str, Drawer] = {
    "jacket": jacket, "blazer": jacket, "sweater": shirt, "shirt": shirt, "dress": dress,
    "trousers": trousers, "scarf": tie, "tie": tie, "handbag": bag, "tote": bag,
    "briefcase": bag, "wallet": wallet, "belt": wallet, "oxford": shoe, "loafers": shoe,
    "sneakers": shoe, "ankle-boots": boot, "ring": ring, "necklace": necklace,
    "earrings": necklace, "bracelet": ring, "watch": watch, "face-cream": jar, "serum": pump,
    "perfume": perfume, "lipstick": lipstick, "shampoo": pump, "soap": pump,
    "olive-oil": bottle, "balsamic": bottle, "spaghetti": pasta, "paccheri": pasta,
    "orecchiette": pasta, "tagliatelle": pasta, "parmigiano": cheese, "pecorino": cheese,
    "prosciutto": ham, "passata": jar, "pesto": jar, "truffle": jar, "honey": jar,
    "coffee": cup, "chocolate": chocolate, "gianduiotti": chocolate, "cantucci": chocolate,
    "panettone": panettone, "red-wine": bottle, "white-wine": bottle, "sparkling": flute,
    "grappa": bottle, "limoncello": bottle, "chair": chair, "armchair": armchair,
    "table": table, "bookcase": bookcase, "table-lamp": lamp, "dinner-set": plates,
    "vase": vase, "bed-linen": linen, "table-linen": linen, "bath-towel": linen,
    "road-bike": bicycle, "cycling-jersey": shirt, "helmet": helmet, "ski-boots": boot,
    "skis": skis, "hiking-boots": boot, "football": ball, "tennis-racket": racket,
    "wine-glasses": wine_glass, "sunglasses": glasses, "optical-frame": glasses,
}  # fmt: skip
ROOT_PICTOGRAMS: dict[str, Drawer] = {
    "fashion": shirt, "leather": bag, "jewellery": ring, "beauty": jar, "food": jar,
    "wine": bottle, "home": chair, "sport": ball,
}  # fmt: skip


@functools.cache
def _background(root: str, tint: int) -> Image.Image:
    """A soft vertical gradient with a lighter disc behind the pictogram (``SIZE`` square;
    one per category root and tint, reused)."""
    colours = _colours(root, tint)
    side = SIZE * SCALE
    gradient = Image.linear_gradient("L").resize((SIZE, SIZE))
    top = Image.new("RGB", (SIZE, SIZE), colours.background_top)
    bottom = Image.new("RGB", (SIZE, SIZE), colours.background_bottom)
    image = Image.composite(bottom, top, gradient)
    disc = Image.new("L", (side, side), 0)
    ImageDraw.Draw(disc).ellipse((side * 0.10, side * 0.10, side * 0.90, side * 0.90), fill=255)
    image.paste(Image.new("RGB", (SIZE, SIZE), colours.disc), (0, 0), disc.reduce(SCALE))
    return image


def product_picture(pictogram: Drawer, root: str, tint: int) -> bytes:
    """One product picture: JPEG bytes, ``SIZE`` square. The pictogram is drawn at twice
    its size and reduced (smooth edges), turned by the tint's angle, then laid on the
    background."""
    colours = _colours(root, tint)
    inner = round(SIZE * 0.62)
    figure = Image.new("RGBA", (inner * SCALE, inner * SCALE), (0, 0, 0, 0))
    pictogram(Pen(ImageDraw.Draw(figure), inner * SCALE, colours))
    angle = (-7, 0, 7)[tint % 3]
    if angle:  # turned before the reduction, which smooths the nearest-neighbour edges
        figure = figure.rotate(angle, resample=Image.Resampling.NEAREST, expand=False)
    figure = figure.reduce(SCALE)
    image = _background(root, tint).copy()
    offset = (SIZE - inner) // 2
    image.paste(figure, (offset, offset + round(SIZE * 0.01)), figure)
    out = io.BytesIO()
    # JPEG: five times faster to encode than WebP here; 4:4:4 keeps the colour edges clean.
    image.save(out, format="JPEG", quality=88, subsampling=0, optimize=False)
    return out.getvalue()


def _initials(name: str) -> str:
    words = [w for w in name.replace("&", " ").split() if w[:1].isalnum()]
    skip = {"di", "del", "della", "dei", "e", "la", "il", "lo", "le", "srl", "spa", "s.r.l."}
    kept = [w for w in words if w.lower() not in skip] or words or ["F"]
    letters = (kept[0][:1] + (kept[1][:1] if len(kept) > 1 else "")).upper()
    return "".join(ch for ch in letters if ch.isascii() and ch.isalnum()) or "F"


_LOGO_HUES = (0.02, 0.08, 0.13, 0.33, 0.45, 0.55, 0.62, 0.75, 0.88, 0.95)


@functools.cache
def _logo_base(hue_index: int) -> Image.Image:
    """The rounded square of one of the ten logo colours, drawn at twice the size and
    reduced (smooth corners); reused for every logo of that colour."""
    side = LOGO_SIZE * SCALE
    hue = _LOGO_HUES[hue_index % len(_LOGO_HUES)]
    image = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (side * 0.04, side * 0.04, side * 0.96, side * 0.96),
        radius=side * 0.2,
        fill=_rgb(hue, 0.55, 0.36),
    )
    draw.rounded_rectangle(
        (side * 0.10, side * 0.10, side * 0.90, side * 0.90),
        radius=side * 0.16,
        outline=_rgb(hue, 0.5, 0.62),
        width=round(side * 0.015),
    )
    return image.reduce(SCALE)


@functools.cache
def _logo_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def logo_picture(initials: str, hue_index: int) -> bytes:
    """A monogram logo: the initials in white on a rounded square of one of ten colours
    (JPEG, ``LOGO_SIZE`` square)."""
    image = _logo_base(hue_index).copy()
    font = _logo_font(round(LOGO_SIZE * (0.42 if len(initials) > 1 else 0.5)))
    ImageDraw.Draw(image).text(
        (LOGO_SIZE / 2, LOGO_SIZE / 2), initials, font=font, fill=(255, 255, 255), anchor="mm"
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, subsampling=0)
    return out.getvalue()


def _stored(name: str, make: Callable[[], bytes]) -> tuple[str, bool]:
    """The file ``name`` in the default storage, drawn by ``make`` unless it is there."""
    if default_storage.exists(name):
        return name, False
    return default_storage.save(name, ContentFile(make())), True


# --- the demo step ----------------------------------------------------------------------------


def _type_keys() -> dict[tuple[str, str], str]:
    """(category slug, SKU prefix) -> product type key: the demo's SKUs start with the first
    four letters of the type's key (``fiera.demo.build``)."""
    keys: dict[tuple[str, str], str] = {}
    for type_ in vocab.PRODUCT_TYPES:
        prefix = "".join(ch for ch in type_.key.upper() if ch.isalpha())[:4]
        keys.setdefault((type_.category, prefix), type_.key)
    return keys


def _descriptions(
    name: str, town: str, region: str, sector: tuple[str, str, str], country: str = "IT"
) -> dict[str, str]:
    it, en, zh = sector
    if country != "IT":  # a company from abroad (fiera.demo.abroad): no Italian region
        place = COUNTRIES[country]
        return {
            "description_it": (
                f"{name}, da {town} ({place.name.it}). Settore: {it}. Produciamo "
                f"{place.made_in.it} e spediamo dal nostro magazzino: ogni ordine è tracciato "
                "fino alla consegna."
            ),
            "description_en": (
                f"{name}, from {town} ({place.name.en}). Sector: {en}. We make our goods "
                f"{place.made_in.en} and ship them from our own warehouse, every order "
                "tracked to your door."
            ),
            "description_zh": (
                f"{name}，来自{place.name.zh} {town}。行业：{zh}。{place.made_in.zh}制造，"  # noqa: RUF001 - Chinese punctuation
                "自有仓库发货，每笔订单全程可追踪。"  # noqa: RUF001 - Chinese punctuation
            ),
        }
    return {
        "description_it": (
            f"{name}, da {town} ({region}). Settore: {it}. Produciamo in Italia e spediamo "
            "dal nostro magazzino: ogni ordine è tracciato fino alla consegna."
        ),
        "description_en": (
            f"{name}, from {town} ({region}, Italy). Sector: {en}. We make our goods in Italy "
            "and ship them from our own warehouse, every order tracked to your door."
        ),
        "description_zh": (
            f"{name}，来自意大利 {region} 大区 {town}。行业：{zh}。意大利制造，自有仓库发货，"  # noqa: RUF001 - Chinese punctuation
            "每笔订单全程可追踪。"
        ),
    }


def build_media(*, seed: int, merchant_ids: list[int] | None = None) -> dict[str, int]:
    """Give every product without a picture the demo picture of its type, every store
    without a logo a monogram and a description in it/en/zh, and mark
    ``FEATURED_PER_MARKETPLACE`` stores per marketplace as featured (those with the most
    products). Runs in the caller's transaction; returns counts for the summary."""
    rng = random.Random(seed)
    type_keys = _type_keys()
    products = Product.objects.filter(images__isnull=True)
    if merchant_ids is not None:
        products = products.filter(merchant_id__in=merchant_ids)
    rows = list(products.values_list("id", "merchant_id", "category__slug"))
    first_sku: dict[int, str] = {}
    for product_id, sku in (
        Variant.objects.filter(product_id__in=[r[0] for r in rows])
        .order_by("product_id", "id")
        .values_list("product_id", "sku")
    ):
        first_sku.setdefault(product_id, sku)
    drawn = 0
    files: dict[tuple[str, int], str] = {}
    images: list[ProductImage] = []
    for product_id, merchant_id, category in rows:
        category = category or ""
        root = category.split("-", 1)[0]
        key = type_keys.get((category, first_sku.get(product_id, "").split("-", 1)[0]), "")
        pictogram = PICTOGRAMS.get(key) or ROOT_PICTOGRAMS.get(root, jar)
        # One file per pictogram, colour family and tint: types drawn alike share it.
        kind = f"{pictogram.__name__.replace('_', '-')}-{root or 'other'}"
        tint = int(hashlib.blake2s(f"{seed}:{product_id}".encode(), digest_size=2).hexdigest(), 16)
        tint %= TINTS
        if (kind, tint) not in files:
            name, made = _stored(
                f"demo/{VERSION}/products/{kind}-{tint + 1}.jpg",
                lambda p=pictogram, r=root, t=tint: product_picture(p, r, t),  # type: ignore[misc]
            )
            files[(kind, tint)] = name
            drawn += made
        name = files[(kind, tint)]
        images.append(
            ProductImage(
                merchant_id=merchant_id,
                product_id=product_id,
                image=name,
                thumbnail=name,
                width=SIZE,
                height=SIZE,
                position=0,
            )
        )
    ProductImage.objects.bulk_create(images, batch_size=2000)

    merchants = {
        m["id"]: m
        for m in Merchant.objects.values("id", "display_name", "town", "region_code", "country")
    }
    sectors: dict[int, tuple[str, str, str]] = {}
    through = Merchant.sectors.through
    for merchant_id, name, name_it, name_zh in through.objects.order_by("id").values_list(
        "merchant_id", "sector__name", "sector__name_it", "sector__name_zh"
    ):
        sectors.setdefault(merchant_id, (name_it or name, name, name_zh or name))
    product_counts: dict[int, int] = defaultdict(int)
    for merchant_id in Product.objects.values_list("merchant_id", flat=True):
        product_counts[merchant_id] += 1
    stores = list(
        Store.objects.filter(logo="").only(
            "id",
            "merchant_id",
            "marketplace_id",
            "name",
            "description_it",
            "description_en",
            "description_zh",
            "is_featured",
        )
    )
    logos: dict[tuple[str, int], str] = {}
    by_marketplace: dict[int, list[Store]] = defaultdict(list)
    for store in stores:
        initials = _initials(store.name)
        hue = int(hashlib.blake2s(store.name.encode(), digest_size=2).hexdigest(), 16) % 10
        if (initials, hue) not in logos:
            logos[(initials, hue)], made = _stored(
                f"demo/{VERSION}/logos/{initials.lower()}-{hue}.jpg",
                lambda i=initials, h=hue: logo_picture(i, h),  # type: ignore[misc]
            )
            drawn += made
        store.logo = logos[(initials, hue)]
        merchant = merchants.get(store.merchant_id)
        if merchant is not None:
            for field, text in _descriptions(
                store.name,
                merchant["town"] or "Italia",
                region_name(merchant["region_code"] or "") or "Italia",
                sectors.get(store.merchant_id, ("Prodotti", "Products", "产品")),
                merchant["country"] if merchant["country"] in COUNTRIES else "IT",
            ).items():
                setattr(store, field, text)
        by_marketplace[store.marketplace_id].append(store)
    featured = 0
    for marketplace_stores in by_marketplace.values():
        ranked = sorted(
            marketplace_stores,
            key=lambda s: (-product_counts.get(s.merchant_id, 0), rng.random()),
        )
        for store in ranked[:FEATURED_PER_MARKETPLACE]:
            store.is_featured = True
            featured += 1
    # One prepared UPDATE per store (bulk_update's CASE expressions cost seconds here).
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE merchants_store SET logo = %s, description_it = %s, description_en = %s, "
            "description_zh = %s, is_featured = %s WHERE id = %s",
            [
                (
                    str(s.logo),
                    s.description_it,
                    s.description_en,
                    s.description_zh,
                    bool(s.is_featured),
                    s.pk,
                )
                for s in stores
            ],
        )
    return {
        "product_images": len(images),
        "picture_files": len(files),
        "logos": len(stores),
        "logo_files": len(logos),
        "files_drawn": drawn,
        "featured_stores": featured,
    }
