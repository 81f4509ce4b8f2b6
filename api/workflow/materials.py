"""Uploading a material: the bytes judged by their content (``core.sniff_format``, never the
client's file name or ``Content-Type``), a truncated image refused, an image whose header
declares more than ``max_image_pixels`` refused (a decompression bomb), a photo accepted only
as an image; then, under the application's and the account's locks, the fair-jobs cap
(:mod:`api.workflow.job_quota`) and the store (by SHA-256) with its row and audit entry. The
JSON route and the applicant's page both call :func:`upload_material`; uploading to a slot that
already holds a material replaces it (重新上传), and :func:`remove_material` empties a slot
(删除), both while the application is a draft or returned for correction. A replaced or removed
material goes with its results (OCR, photo checks) and the corrections of its fields in the same
transaction; its stored files are deleted after the commit, when no row refers to them any more
(so a failed transaction leaves everything as it was). Taking the auto-fixed photo the photo job
offers instead of the uploaded one is :func:`use_fixed_photo`. Reading the upload from the
request is HTTP (``api.uploads``)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import (
    Application,
    AuditAction,
    LicenceRecord,
    Material,
    PhotoCheck,
    add_material,
    append_audit,
)
from api.workflow.applications import (
    EDITABLE,
    account_of,
    find_material,
    latest_photo_check,
    load_application,
    not_editable,
)
from api.workflow.context import WorkflowContext
from api.workflow.errors import (
    MaterialInvalidError,
    UploadRejectedError,
    WorkflowConflictError,
    WorkflowNotFoundError,
)
from api.workflow.job_quota import check_job_quota, lock_account
from core import ErrorCode, FileFormat, ends_early, sniff_format, webp_canvas_size
from verify.forms import MaterialKind

__all__ = ["CONTENT_TYPES", "IMAGE_FORMATS", "SniffedUpload", "remove_material", "sniff_upload",
           "upload_material", "use_fixed_photo"]

log = logging.getLogger(__name__)

CONTENT_TYPES: dict[FileFormat, str] = {
    FileFormat.PDF: "application/pdf",
    FileFormat.PNG: "image/png",
    FileFormat.JPEG: "image/jpeg",
    FileFormat.WEBP: "image/webp",
    FileFormat.TIFF: "image/tiff",
    FileFormat.BMP: "image/bmp",
    FileFormat.OFD: "application/ofd",
}
IMAGE_FORMATS = frozenset(CONTENT_TYPES) - {FileFormat.PDF, FileFormat.OFD}
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_ZIP_END_WINDOW = 22 + 65535  # the end record and the longest zip comment


@dataclass(frozen=True, slots=True)
class SniffedUpload:
    """An accepted upload: its bytes and the type its content proved."""

    data: bytes
    format: FileFormat

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def sniff_upload(data: bytes, *, image_only: bool = False,
                 max_pixels: int | None = None, ofd: bool = False) -> SniffedUpload:
    """Accept ``data`` as a material, or raise :class:`UploadRejectedError` with a stable code.
    With ``max_pixels``, an image whose header declares more pixels is refused (a
    decompression bomb is a few hundred KB that decodes to gigabytes). With ``ofd`` (a
    material the service accepts as an e-licence), a zip is taken as an OFD licence: its job
    reads it only through the bounded OFD reader and verifies it, never OCRs it."""
    if not data:
        raise UploadRejectedError(ErrorCode.INPUT_EMPTY, "the uploaded file is empty",
                                  "上传的文件为空")
    fmt = sniff_format(data)
    if fmt is None and ofd and data.startswith(_ZIP_LOCAL):
        fmt = FileFormat.OFD
        if _ZIP_END not in data[-_ZIP_END_WINDOW:]:
            raise UploadRejectedError(ErrorCode.INPUT_TRUNCATED, "the OFD file is cut short",
                                      "OFD 文件不完整（被截断）")
        return SniffedUpload(data, fmt)
    if fmt is None or (image_only and fmt not in IMAGE_FORMATS):
        wanted_en = "a JPEG, PNG, WebP, TIFF or BMP image" + ("" if image_only else " or a PDF") \
            + (" or an OFD e-licence" if ofd else "")
        wanted_zh = "JPEG、PNG、WebP、TIFF 或 BMP 图片" + ("" if image_only else "或 PDF") \
            + ("或 OFD 电子证照" if ofd else "")
        raise UploadRejectedError(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                                  f"the file's content is not {wanted_en}",
                                  f"文件内容不是{wanted_zh}")
    if ends_early(data, fmt):
        raise UploadRejectedError(ErrorCode.INPUT_TRUNCATED, f"the {fmt.value} file is cut short",
                                  f"{fmt.value} 文件不完整（被截断）")
    if max_pixels is not None and fmt in IMAGE_FORMATS:
        _check_pixels(data, fmt, max_pixels)
    return SniffedUpload(data, fmt)


def _too_many_pixels(max_pixels: int) -> UploadRejectedError:
    return UploadRejectedError(ErrorCode.INPUT_TOO_MANY_PIXELS,
                               f"the image has more than {max_pixels} pixels",
                               f"图像像素超过上限 {max_pixels}")


def _check_pixels(data: bytes, fmt: FileFormat, max_pixels: int) -> None:
    """Refuse an image whose declared size exceeds ``max_pixels``, reading its header only. An
    image whose header cannot be read is left to processing, which reports it."""
    if fmt is FileFormat.WEBP:
        # libwebp allocates the whole canvas when Pillow merely opens the file.
        size = webp_canvas_size(data)
    else:
        try:
            with Image.open(io.BytesIO(data), formats=[fmt.value.upper()]) as image:
                size = image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow's own, higher limit (the warning only when warnings are errors).
            raise _too_many_pixels(max_pixels) from None
        except Exception:  # Whatever Pillow says about hostile bytes, processing will say too.
            size = None
    if size is not None and size[0] * size[1] > max_pixels:
        raise _too_many_pixels(max_pixels)


def upload_material(ctx: WorkflowContext, username: str, application_id: int,
                    material_type: str, data: bytes) -> int:
    """Store ``data`` as the application's material of that type, in one transaction, and
    return the new material's id (the caller enqueues its processing once this returned).
    A material already in that slot is replaced: it goes with its results and the corrections
    of its fields (audited as removed), and its files are deleted after the commit.
    The checks, in this order: the caller's account, its application (locked), a material the
    service has (``material.invalid``), the file's content, the application still editable,
    the fair-jobs cap under the account's lock."""
    with ctx.db.transaction() as session:
        account = account_of(session, username)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        spec = ctx.service(application.service_id).material(material_type)
        if spec is None:
            raise MaterialInvalidError(f"this service has no material {material_type!r}",
                                       f"该事项没有材料“{material_type}”")
        upload = sniff_upload(data, image_only=spec.kind is MaterialKind.PHOTO,
                              max_pixels=ctx.settings.max_image_pixels,
                              ofd=bool(spec.elicence))
        if application.state not in EDITABLE:
            raise not_editable(application.state)
        # Locking the old rows makes a job still running on one wait, then find it gone.
        previous = _slot_rows(session, application, material_type)
        # Fair jobs: refused (429) before anything is stored, under the account's lock.
        lock_account(session, account)
        check_job_quota(session, ctx.settings, ctx.store, account.id, upload.data,
                        upload.content_type)
        # Added before the old rows go: SQLite hands out max(id) + 1, so the new row can never
        # take an old id, and a job still holding one finds nothing rather than the new file.
        material = add_material(session, ctx.store, application, material_type, upload.data,
                                upload.content_type, actor_id=account.id)
        blobs = _remove_rows(session, application, previous, actor_id=account.id,
                             replaced_by=material.id)
        material_id = material.id
        log.info("application %s: material %s uploaded%s", application.id, material_type,
                 " (replacing the previous one)" if previous else "")
    # Re-uploading the same bytes keeps the file: the new row refers to it.
    _delete_unreferenced(ctx, blobs)
    return material_id


def remove_material(ctx: WorkflowContext, username: str, application_id: int,
                    material_type: str) -> None:
    """Empty the slot ``material_type`` (删除): the material, its results and the corrections
    of its fields go in one audited transaction, and its files are deleted after the commit
    when nothing else refers to them. The checks, in this order: the caller's account, its
    application (locked), a material the service has, the application still editable, a
    material in the slot (not found otherwise)."""
    with ctx.db.transaction() as session:
        account = account_of(session, username)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        if ctx.service(application.service_id).material(material_type) is None:
            raise MaterialInvalidError(f"this service has no material {material_type!r}",
                                       f"该事项没有材料“{material_type}”")
        if application.state not in EDITABLE:
            raise not_editable(application.state)
        rows = _slot_rows(session, application, material_type)
        if not rows:
            raise WorkflowNotFoundError("material", "材料")
        blobs = _remove_rows(session, application, rows, actor_id=account.id, replaced_by=None)
        log.info("application %s: material %s removed", application.id, material_type)
    _delete_unreferenced(ctx, blobs)


def _slot_rows(session: Session, application: Application, material_type: str
               ) -> list[Material]:
    """Every row in the slot, locked (normally one; older databases may hold more)."""
    return list(session.scalars(select(Material).where(
        Material.application_id == application.id, Material.material_type == material_type)
        .order_by(Material.id).with_for_update()))


def _remove_rows(session: Session, application: Application, rows: list[Material], *,
                 actor_id: int, replaced_by: int | None) -> set[str]:
    """Delete ``rows`` (their photo checks cascade with them) and the corrections of their
    fields, audited; the keys of the files they referred to (deleted after the commit)."""
    blobs: set[str] = set()
    for row in rows:
        blobs.add(row.sha256)
        blobs.update(key for key in session.scalars(
            select(PhotoCheck.fixed_sha256).where(PhotoCheck.material_id == row.id)) if key)
        details: dict[str, object] = {"material_id": row.id, "material_type": row.material_type,
                                      "sha256": row.sha256}
        if replaced_by is not None:
            details["replaced_by"] = replaced_by
        append_audit(session, AuditAction.MATERIAL_REMOVED, actor_id=actor_id,
                     subject_type="application", subject_id=str(application.id),
                     details=details)
        session.delete(row)
    if rows:
        prefix = f"{rows[0].material_type}."
        corrected = application.corrected_fields or {}
        if any(str(key).startswith(prefix) for key in corrected):
            # Corrections were of the old file's reading; the new file is read afresh.
            application.corrected_fields = {k: v for k, v in corrected.items()
                                            if not str(k).startswith(prefix)}
        session.flush()
        session.expire(application, ["materials"])
    return blobs


def _delete_unreferenced(ctx: WorkflowContext, blobs: set[str]) -> None:
    """Delete the stored files among ``blobs`` that no material, photo check or licence refers
    to (another application may hold the same bytes: the store keeps each file once)."""
    blobs.discard("")
    if not blobs:
        return
    with ctx.db.transaction(read_only=True) as session:
        used = set(session.scalars(select(Material.sha256).where(Material.sha256.in_(blobs))))
        used |= set(session.scalars(select(PhotoCheck.fixed_sha256)
                                    .where(PhotoCheck.fixed_sha256.in_(blobs))))
        used |= set(session.scalars(select(LicenceRecord.pdf_sha256)
                                    .where(LicenceRecord.pdf_sha256.in_(blobs))))
        used |= {sha for sha in session.scalars(select(LicenceRecord.ofd_sha256)
                                                .where(LicenceRecord.ofd_sha256.in_(blobs)))}
    deleted = sum(ctx.store.delete(key) for key in sorted(blobs - used))
    if deleted:
        log.info("deleted %d stored file(s) no longer referred to", deleted)


def use_fixed_photo(ctx: WorkflowContext, username: str, application_id: int,
                    material_type: str) -> int:
    """Replace an uploaded photo with the auto-fixed version its newest check offers (the
    application still editable; ``api.conflict`` when there is none), in one transaction, and
    return the new material's id (the caller enqueues its check once this returned). The new
    row and the old one's removal are audited together; the old checks go with the old row."""
    with ctx.db.transaction() as session:
        account = account_of(session, username)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        # Locking the material makes a photo job still running on it wait, then find it gone.
        material = find_material(session, application, material_type, for_update=True)
        if application.state not in EDITABLE:
            raise not_editable(application.state)
        check = latest_photo_check(session, material)
        fixed = None if check is None else check.fixed_sha256
        if fixed is None:
            raise WorkflowConflictError("there is no auto-fixed photo to use",
                                        "该材料没有可用的自动修正相片")
        upload = sniff_upload(ctx.store.get(fixed), image_only=True,
                              max_pixels=ctx.settings.max_image_pixels)
        replaced_id = material.id
        # Added before the old row goes: SQLite hands out max(id) + 1, so the new row can never
        # take the old id, and a job still holding that id finds nothing rather than the new
        # photo. The database cascades the old photo checks away with the row.
        added = add_material(session, ctx.store, application, material_type, upload.data,
                             upload.content_type, actor_id=account.id)
        session.delete(material)
        session.flush()
        session.expire(application, ["materials"])
        append_audit(session, AuditAction.FIXED_PHOTO_USED, actor_id=account.id,
                     subject_type="application", subject_id=str(application.id),
                     details={"material_id": added.id, "replaced_material_id": replaced_id,
                              "material_type": material_type, "sha256": fixed})
        log.info("application %s: material %s replaced by its fixed photo (material %s)",
                 application.id, replaced_id, added.id)
        return added.id
