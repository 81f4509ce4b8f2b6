"""What the applicant's route modules share (:mod:`api.routes.applicant`, its photo and preview
routes, and the web pages over them): the role guard alias, the states in which an application
may still be changed, the material-type path parameter, finding one material of an application,
and the shape a corrected field value must have. No routes here."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal, Role, require_role
from api.db import Application, ApplicationState, Material, PhotoCheck
from api.errors_http import ApiError
from api.routes.views import not_found
from core import ErrorCode

__all__ = ["CORRECTION_MAX_CHARS", "EDITABLE", "Applicant", "MaterialType", "correction_problem",
           "find_material", "latest_photo_check", "not_editable"]

Applicant = Annotated[Principal, Depends(require_role(Role.APPLICANT))]
EDITABLE = (ApplicationState.DRAFT, ApplicationState.RETURNED_FOR_CORRECTION)
# Material ids are short names from the service definition; a longer one cannot exist, and
# refusing it before use keeps a huge one from being echoed back in the error.
MaterialType = Annotated[str, Path(min_length=1, max_length=64)]


def not_editable(state: ApplicationState) -> ApiError:
    """409: the application has left draft / returned-for-correction."""
    return ApiError(ErrorCode.CONFLICT,
                    f"an application in state {state.value!r} cannot be changed",
                    f"办件状态“{state.value}”下不能修改")


def find_material(session: Session, application: Application, material_type: str, *,
                  for_update: bool = False) -> Material:
    """The application's material of that type (locked when asked); 404 when none was
    uploaded (or the service has no such material)."""
    query = select(Material).where(Material.application_id == application.id,
                                   Material.material_type == material_type)
    if for_update:
        query = query.with_for_update()
    material = session.scalars(query.order_by(Material.id.desc()).limit(1)).one_or_none()
    if material is None:
        raise not_found("material", "材料")
    return material


def latest_photo_check(session: Session, material: Material) -> PhotoCheck | None:
    """The newest photo check of ``material`` (the one the pages and the API show)."""
    return session.scalars(select(PhotoCheck).where(PhotoCheck.material_id == material.id)
                           .order_by(PhotoCheck.id.desc()).limit(1)).one_or_none()


# Long enough for an address or an issuing authority; no form field holds more.
CORRECTION_MAX_CHARS = 200
_SPACES = {" ", "\u3000"}  # ordinary and ideographic spaces are fine in a value


def correction_problem(value: str) -> ApiError | None:
    """Why ``value`` cannot be a field's corrected value (422 ``api.validation_failed``), or
    ``None``: at most :data:`CORRECTION_MAX_CHARS` characters, and no control, format or
    separator characters other than spaces (no line breaks, no invisible marks that make two
    equal-looking values differ)."""
    if len(value) > CORRECTION_MAX_CHARS:
        return ApiError(ErrorCode.VALIDATION_FAILED,
                        f"a corrected value is at most {CORRECTION_MAX_CHARS} characters",
                        f"更正的内容不能超过 {CORRECTION_MAX_CHARS} 个字符")
    if any(unicodedata.category(c)[0] in "CZ" and c not in _SPACES for c in value):
        return ApiError(ErrorCode.VALIDATION_FAILED,
                        "a corrected value may not contain control characters or line breaks",
                        "更正的内容不能包含控制字符或换行")
    return None
