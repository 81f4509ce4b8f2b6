"""Loading service definitions from YAML or JSON files, with errors that name the file and the
offending path, and a catalogue that finds a service by id, name or alias.

The bundled services live in ``verify/forms/services/*.yaml`` (package data, like the photo
profiles and the licence templates); an office adds or replaces some with a directory of its own
(``ZZ_SERVICES_DIR``), read by :func:`load_service_catalog`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError

from verify.forms.errors import ServiceInvalidError, ServiceNotFoundError
from verify.forms.normalize import compact_text
from verify.forms.service import FIXED_FIELDS, MaterialKind, Service
from verify.forms.specs import ValidOnRule

log = logging.getLogger(__name__)

SERVICE_SUFFIXES = (".yaml", ".yml", ".json")
# The service definitions this package ships (docs/services.md): product data, not samples.
BUNDLED_SERVICES_DIR: Final = Path(__file__).resolve().parent / "services"
# libyaml's loader when PyYAML was built with it (about 10x faster), the same safe subset.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_service(path: str | Path) -> Service:
    """Read and check one service definition file."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceInvalidError(source, f"cannot read the file ({type(exc).__name__})") \
            from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except json.JSONDecodeError as exc:
        raise ServiceInvalidError(source, f"not JSON: {exc.msg} at line {exc.lineno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ServiceInvalidError(source, f"not YAML: {problem}{where}") from None
    return parse_service(data, source)


def parse_service(data: Any, source: str = "<data>") -> Service:
    """Check already-parsed data (a mapping) as a service definition."""
    if not isinstance(data, dict):
        raise ServiceInvalidError(source, "the file must hold one mapping (id, name, materials)")
    try:
        service = Service.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = _format_loc(first["loc"], data)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ServiceInvalidError(source, first["msg"] + more, path) from None
    for path, problem in _reference_problems(service):
        raise ServiceInvalidError(source, problem, path)
    return service


def _format_loc(loc: tuple[int | str, ...], data: Any) -> str:
    """``materials[0].fields[1].rules[0].pattern`` from a pydantic location, skipping the
    discriminator tags pydantic inserts for unions (``..., 0, 'regex', 'pattern'``)."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if isinstance(node, dict) and part not in node and node.get("type") == part:
            continue  # a union tag, not a key
        if isinstance(node, str) and part == node:
            continue  # a bare rule name expanded to {"type": ...}
        out += f".{part}" if out else part
        node = node.get(part) if isinstance(node, dict) else None
    return out


def _reference_problems(service: Service) -> Iterator[tuple[str, str]]:
    """Unique ids, and every ``material.field`` a cross rule names exists and can be read."""
    seen: set[str] = set()
    for i, material in enumerate(service.materials):
        if material.id in seen:
            yield f"materials[{i}].id", f"duplicate material id {material.id!r}"
        seen.add(material.id)
        fixed = FIXED_FIELDS.get(material.kind)
        field_ids: set[str] = set()
        for j, spec in enumerate(material.fields):
            where = f"materials[{i}].fields[{j}]"
            if spec.id in field_ids:
                yield f"{where}.id", f"duplicate field id {spec.id!r}"
            field_ids.add(spec.id)
            if fixed is not None and (spec.label is not None or spec.checkbox is not None):
                yield where, f"{material.kind.value} fields are named by id, not label/checkbox"
            if fixed is not None and spec.id not in fixed:
                yield f"{where}.id", (f"{material.kind.value} has no field {spec.id!r} "
                                      f"(it has: {', '.join(fixed)})")
            if material.kind is MaterialKind.FORM and spec.label is None and not spec.checkbox:
                yield where, "a form field needs a label or checkbox options"
        known = field_ids | set(fixed or ())
        for j, source in enumerate(material.elicence):
            for field_id in source.fields:
                if field_id not in known:
                    yield (f"materials[{i}].elicence[{j}].fields.{field_id}",
                           f"material {material.id!r} has no field {field_id!r}")
    rule_ids: set[str] = set()
    for k, rule in enumerate(service.cross_rules):
        if rule.id in rule_ids:
            yield f"cross_rules[{k}].id", f"duplicate rule id {rule.id!r}"
        rule_ids.add(rule.id)
        for name, ref in rule.references().items():
            if problem := _ref_problem(service, ref):
                yield f"cross_rules[{k}].{name}", problem
        if isinstance(rule, ValidOnRule) and rule.as_of != "today" \
                and (problem := _ref_problem(service, rule.as_of)):
            yield f"cross_rules[{k}].as_of", problem
    yield from _licence_problems(service)


def _licence_problems(service: Service) -> Iterator[tuple[str, str]]:
    """The ``licence:`` section reads existing fields and names the right materials."""
    licence = service.licence
    if licence is None:
        return
    for where, ref in licence.references().items():
        if problem := _ref_problem(service, ref):
            yield f"licence.{where}", problem
    if licence.photo_material is not None:
        photo = service.material(licence.photo_material)
        if photo is None or photo.kind is not MaterialKind.PHOTO:
            yield "licence.photo_material", f"no photo material {licence.photo_material!r}"
    if licence.portrait_from is not None:
        card = service.material(licence.portrait_from)
        if card is None or card.kind is not MaterialKind.ID_CARD_FRONT:
            yield "licence.portrait_from", (f"no ID card (portrait side) material "
                                            f"{licence.portrait_from!r}")


def _ref_problem(service: Service, ref: str) -> str | None:
    material_id, field_id = ref.split(".", 1)
    material = service.material(material_id)
    if material is None:
        return f"no material {material_id!r}"
    if material.kind is MaterialKind.PHOTO:
        return f"{material_id!r} is a photo: it has no fields"
    if material.field(field_id) is not None:
        return None
    fixed = FIXED_FIELDS.get(material.kind)
    if fixed is not None and field_id in fixed:
        return None
    return f"material {material_id!r} has no field {field_id!r}"


class ServiceCatalog:
    """Services by id; later directories replace a service with the same id."""

    def __init__(self, services: Iterable[Service] = ()) -> None:
        self._by_id: dict[str, Service] = {}
        for service in services:
            self._by_id[service.id] = service

    def __iter__(self) -> Iterator[Service]:
        return iter(sorted(self._by_id.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, service: Service) -> None:
        self._by_id[service.id] = service

    def get(self, name: str) -> Service:
        """The service whose id, Chinese or English name or alias is ``name``."""
        if name in self._by_id:
            return self._by_id[name]
        wanted = compact_text(name).casefold()
        for service in self:
            names = (service.name, service.name_en or "", *service.aliases)
            if any(compact_text(n).casefold() == wanted for n in names if n):
                return service
        raise ServiceNotFoundError(name, [s.id for s in self])


def load_services(*directories: str | Path | None) -> ServiceCatalog:
    """Every ``*.yaml``/``*.yml``/``*.json`` in each directory (``None`` skipped), in order; a
    later directory's service replaces an earlier one with the same id. Two files with the same
    id in one directory are an error."""
    catalog = ServiceCatalog()
    for directory in directories:
        if directory is None:
            continue
        directory = Path(directory)
        if not directory.is_dir():
            raise ServiceInvalidError(str(directory), "not a directory")
        here: dict[str, str] = {}
        for path in sorted(p for p in directory.iterdir() if p.suffix in SERVICE_SUFFIXES):
            service = load_service(path)
            if service.id in here:
                raise ServiceInvalidError(path.name, f"service id {service.id!r} is also "
                                          f"defined in {here[service.id]}", "id")
            here[service.id] = path.name
            catalog.add(service)
        log.debug("loaded %d service definitions from a directory", len(here))
    return catalog


def load_service_catalog(extra_dir: str | Path | None = None) -> ServiceCatalog:
    """The bundled services, plus (replacing same ids) the definitions in ``extra_dir``."""
    return load_services(BUNDLED_SERVICES_DIR, extra_dir)
