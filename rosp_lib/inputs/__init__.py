"""Reading the user's tables: the public columns, their validation and typed conversion, in French.

The package follows the reading, one module per role:

- `columns`: the public columns (the input contract, docs/colonnes.md) and their documentation (`rosp colonnes`);
- `csvread`, `xlsxread`, `raw`: a file as text cells, with the problems of its shape;
- `parsing`: each column parsed once into typed values and where the text is not of the kind;
- `validate`: pandera's built-in checks on the typed values, the checks across columns, the problems;
- `molecules`, `warnings`: the molecule table's own checks, and what is read but looks wrong;
- `errors`: the refusal (`InputError`), bounded to 20 messages per kind of problem;
- `tables`: `read_pharmacies`, `read_molecules`, `read_inputs`.

Every problem of a file is reported at once, sorted by line then column, one French sentence each:
``ligne 3, pharmacie « PH-X », colonne taux_mss_pct : valeur « 120 » ; attendu : …``; nothing is
returned from an invalid file.
"""

from .columns import (KIND_LABELS, MAX_COUNT, MOLECULE_COLUMNS, PHARMACIE_ID_RE, PHARMACY_COLUMNS, Col,
                      columns_markdown)
from .errors import InputError, InputErrors
from .molecules import no_molecules_warning, normalise_molecule
from .tables import (EXACT_SUFFIX, _typed, empty_molecules, pharmacy_warnings, read_inputs, read_molecules,
                     read_pharmacies, set_rate, warnings_of)

__all__ = [
    "Col", "EXACT_SUFFIX", "InputError", "InputErrors", "KIND_LABELS", "MAX_COUNT", "MOLECULE_COLUMNS",
    "PHARMACIE_ID_RE", "PHARMACY_COLUMNS", "columns_markdown", "empty_molecules", "no_molecules_warning", "normalise_molecule", "pharmacy_warnings",
    "read_inputs", "read_molecules", "read_pharmacies", "set_rate", "warnings_of",
]
