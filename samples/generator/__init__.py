"""Synthetic document generator with ground truth: fake identities, renderers for ID cards,
business licences and application forms, photo/scan degradations, and ``generate_set``.

Only tests, benchmarks and the ``demo`` command import it, through the names in ``__all__``.
Everything it produces is fictitious; identifiers carry valid check characters.
"""

from samples.generator.cases import Case, generate_case
from samples.generator.checkdigits import is_valid_id_number, is_valid_uscc
from samples.generator.degrade import Degraded, Preset, degrade
from samples.generator.generate import (
    ALL_KINDS,
    case_seed,
    degradation_rng,
    generate_set,
    render_case,
    render_document,
)
from samples.generator.identity import Company, EntityType, Person, fake_company, fake_person
from samples.generator.truth import Rendered, read_truth

__all__ = [
    "ALL_KINDS",
    "Case",
    "Company",
    "Degraded",
    "EntityType",
    "Person",
    "Preset",
    "Rendered",
    "case_seed",
    "degradation_rng",
    "degrade",
    "fake_company",
    "fake_person",
    "generate_case",
    "generate_set",
    "is_valid_id_number",
    "is_valid_uscc",
    "read_truth",
    "render_case",
    "render_document",
]
