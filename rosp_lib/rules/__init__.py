"""The rules of the six themes of the ROSP, one module each (named by the registry's theme codes);
`compute(ctx)` returns the theme's blocks. `base` holds what every theme shares."""

from importlib import import_module

from ..registry import THEME_CODES

MODULES = {code: import_module(f"{__name__}.{code}") for code in THEME_CODES}
