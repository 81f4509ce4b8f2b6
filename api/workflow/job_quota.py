"""Fair jobs: what one account may have waiting for the job worker. Every uploaded material is
one job (OCR or a photo check) until its result is stored; an account may have at most
``max_queued_jobs_per_user`` of them unfinished, and their PDFs together at most
``max_queued_pdf_pixels_per_user`` pixels as the loader would render them (measured from the
page boxes, nothing rendered; one PDF never costs more than ``max_image_pixels``, see
``ocr.loading``). An upload past either is refused with 429 ``jobs.quota_exceeded`` before
anything is stored. The caller holds the account's row lock, so two uploads of one account
cannot both slip under the cap."""

from __future__ import annotations

import logging

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.db import Account, Application, Material, PhotoCheck
from api.storage import FileStore
from api.workflow.errors import QuotaExceededError
from core import Settings, ZhengzhaoError
from ocr import LoadLimits, pdf_render_pixels

__all__ = ["check_job_quota", "lock_account", "pdf_pixels"]

log = logging.getLogger(__name__)

PDF = "application/pdf"
# Seconds a client should wait before trying again: about one job's time.
RETRY_AFTER_SECONDS = 30


def lock_account(session: Session, account: Account) -> None:
    """Take the account row's write lock (serialises one account's uploads)."""
    session.scalars(select(Account.id).where(Account.id == account.id).with_for_update()).one()


def pdf_pixels(data: bytes, settings: Settings) -> int:
    """The pixels the loader would render for this PDF (0 for one it will refuse anyway:
    processing reports that with its own code)."""
    try:
        return pdf_render_pixels(data, LoadLimits.from_settings(settings))
    except ZhengzhaoError:
        return 0


def check_job_quota(session: Session, settings: Settings, store: FileStore, account_id: int,
                    data: bytes, content_type: str) -> None:
    """Raise :class:`QuotaExceededError` (``jobs.quota_exceeded``, 429) when one more material
    (``data``) would take the account past its cap of unfinished jobs or of queued PDF
    pixels."""
    checked = exists().where(PhotoCheck.material_id == Material.id)
    waiting = session.execute(
        select(Material.sha256, Material.content_type)
        .join(Application, Material.application_id == Application.id)
        .where(Application.applicant_id == account_id, Material.ocr_result.is_(None), ~checked)
    ).all()
    if len(waiting) + 1 > settings.max_queued_jobs_per_user:
        log.info("account %s: job quota reached (%d waiting)", account_id, len(waiting))
        raise _exceeded(f"at most {settings.max_queued_jobs_per_user} materials may wait for "
                        "processing", f"待处理的材料最多 {settings.max_queued_jobs_per_user} 份")
    if content_type != PDF:
        return
    pixels = pdf_pixels(data, settings)
    for sha256, kind in waiting:
        if kind == PDF:
            pixels += pdf_pixels(store.get(sha256), settings)
        if pixels > settings.max_queued_pdf_pixels_per_user:
            break
    if pixels > settings.max_queued_pdf_pixels_per_user:
        log.info("account %s: PDF pixel quota reached", account_id)
        cap = settings.max_queued_pdf_pixels_per_user
        raise _exceeded(f"the PDF pages waiting for processing would exceed {cap} pixels",
                        f"待处理的 PDF 页面像素将超过上限 {cap}")


def _exceeded(en: str, zh: str) -> QuotaExceededError:
    return QuotaExceededError(f"{en}; try again once some are processed",
                              f"{zh}，请待已上传的材料处理完成后再试",
                              retry_after_seconds=RETRY_AFTER_SECONDS)
