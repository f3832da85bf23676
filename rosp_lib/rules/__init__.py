"""The six themes of the ROSP, one module each; `compute(ctx)` returns the theme's blocks."""

from . import bups, colorectal, dispensation_unite, dispositif_2024, numerique, vaccination

MODULES = {m.THEME: m for m in (numerique, bups, vaccination, colorectal, dispensation_unite, dispositif_2024)}
