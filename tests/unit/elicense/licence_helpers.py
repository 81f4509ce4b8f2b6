"""Helpers for the elicense tests: an independent ISO/IEC 7064 MOD 37,36 *verifier*, the sample
records and strategies for well-formed identifier parts."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "samples" / "licences"
SAMPLE_NAMES = ("individual_business_licence", "food_business_licence", "residence_permit",
                "company_business_licence", "resident_id_renewal_receipt")
PHOTO = SAMPLES / "holder_photo.jpg"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def iso7064_hybrid_valid(text: str, modulus: int = 36) -> bool:
    """ISO/IEC 7064 hybrid-system *check*: run the recurrence over the whole string, check
    character included; the string is valid when the last sum is congruent to 1 mod M.

    Written from the standard's verification procedure (not the generation formula the module
    uses), so the two can disagree if either is wrong.
    """
    product = modulus
    for index, char in enumerate(text):
        total = (product + ALPHABET.index(char)) % modulus
        total = total or modulus
        if index == len(text) - 1:
            return total % modulus == 1
        product = (total * 2) % (modulus + 1)
    return False


def sample_record(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))


uscc_shaped = st.text(alphabet=USCC_CHARS, min_size=18, max_size=18)
type_codes = st.builds(lambda head, seq: head + f"{seq:03d}", uscc_shaped,
                       st.integers(min_value=0, max_value=999))
serials = st.text(alphabet=ALPHABET, min_size=1, max_size=20)
versions = st.integers(min_value=1, max_value=999)
