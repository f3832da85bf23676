"""rosp_lib — la ROSP d'une officine, règle par règle, au centime près.

The public entry points: `read_pharmacies`, `read_molecules`, `load_parameters`, `compute`, `totals`.
They are imported on first use (PEP 562), so that the `rosp` front door (rosp_lib.launcher) starts without
pandas when a grappe runs the command.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "compute": "engine", "compute_file": "engine", "totals": "engine",
    "InputError": "inputs", "read_molecules": "inputs", "read_pharmacies": "inputs",
    "ParameterError": "parameters", "Scenario": "parameters", "load_parameters": "parameters",
}
__all__ = list(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
