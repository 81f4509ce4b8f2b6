"""Shared foundation of zhengzhao: settings, the root error, logging and the types siblings share.

``core`` imports nothing from the project. Every other package (``ocr``, ``verify``, ``signing``,
``elicense``, ``api``) may import it, and only through the names in ``__all__``.
"""

from core.documents import (
    OPEN_ENDED,
    BusinessLicenceField,
    DocType,
    DocumentResult,
    ExtractedField,
    FieldNote,
    IdCardBackField,
    IdCardFrontField,
    QualityCode,
    QualityWarning,
    TextLine,
)
from core.errors import ErrorCode, ZhengzhaoError
from core.fileformats import FileFormat, ends_early, sniff_format, webp_canvas_size
from core.files import write_atomically
from core.logging import configure_logging
from core.secrets import (
    LEGACY_DEV_KEY_PASSPHRASE,
    ResolvedSecrets,
    key_passphrase_of,
    make_private_dir,
    others_may_access,
    resolve_secrets,
    secret_key_of,
    secrets_dir,
)
from core.settings import (
    CrashPoint,
    Environment,
    OcrEngineName,
    OcrRuntime,
    Settings,
    get_settings,
)

__all__ = [
    "OPEN_ENDED",
    "LEGACY_DEV_KEY_PASSPHRASE",
    "BusinessLicenceField",
    "IdCardBackField",
    "IdCardFrontField",
    "DocType",
    "CrashPoint",
    "DocumentResult",
    "Environment",
    "ErrorCode",
    "ExtractedField",
    "FieldNote",
    "FileFormat",
    "OcrEngineName",
    "OcrRuntime",
    "QualityCode",
    "QualityWarning",
    "ResolvedSecrets",
    "Settings",
    "TextLine",
    "ZhengzhaoError",
    "configure_logging",
    "ends_early",
    "key_passphrase_of",
    "make_private_dir",
    "others_may_access",
    "resolve_secrets",
    "secret_key_of",
    "secrets_dir",
    "get_settings",
    "sniff_format",
    "webp_canvas_size",
    "write_atomically",
]
