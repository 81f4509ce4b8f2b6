"""Synthetic sample documents with ground truth, and the generator that makes them.

Fake people and companies only: every name, number and address is generated, numbers carry valid
check digits. Also sample licence records (``LICENCES_DIR``, issued by ``elicense``) as demo
inputs. The service definitions are product data and live in ``verify.forms``
(``BUNDLED_SERVICES_DIR``). Used by tests, benchmarks and the demo CLI (``zhengzhao demo``);
other product code never imports it.
"""

from pathlib import Path

LICENCES_DIR = Path(__file__).resolve().parent / "licences"

__all__ = ["LICENCES_DIR"]
