"""rosp_lib — la ROSP d'une officine, règle par règle, au centime près.

The public entry points: `read_pharmacies`, `read_molecules`, `load_parameters`, `compute`, `totals`.
"""

from .engine import compute, compute_file, totals
from .inputs import InputError, read_molecules, read_pharmacies
from .parameters import ParameterError, Scenario, load_parameters

__all__ = [
    "compute", "compute_file", "totals", "InputError", "read_molecules", "read_pharmacies",
    "ParameterError", "Scenario", "load_parameters",
]
__version__ = "0.1.0"
