"""Batch runs of the report notebooks (papermill).

nbformat validates notebooks with jsonschema, whose optional « iri » format checker imports
rfc3987_syntax, which builds a Lark grammar at import: about 1,5 to 3 s of CPU in every process that
imports nbformat (rosp report, each worker), for a format no notebook schema uses. It is skipped
here (jsonschema treats it as not installed), unless something imported it already.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
