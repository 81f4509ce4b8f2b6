"""Synthetic sample documents with ground truth, and the generator that makes them.

Fake people and companies only: every name, number and address is generated, numbers carry valid
check digits. Also the bundled service definitions (``SERVICES_DIR``, read by
``verify.forms``) and sample licence records (``LICENCES_DIR``, issued by ``elicense``).
Used by tests, benchmarks and the CLI (``zhengzhao demo``, ``zhengzhao validate``); other product
code never imports it.
"""

from pathlib import Path

# The bundled service definitions (verify.forms format, docs/services.md).
SERVICES_DIR = Path(__file__).resolve().parent / "services"
LICENCES_DIR = Path(__file__).resolve().parent / "licences"

__all__ = ["LICENCES_DIR", "SERVICES_DIR"]
