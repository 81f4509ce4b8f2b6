"""The root error of zhengzhao and the catalogue of stable error codes.

Every error the project raises on purpose is a :class:`ZhengzhaoError` carrying a stable,
machine-readable :class:`ErrorCode` and a human message in Chinese and English. Packages define
their own subclasses in their own ``errors.py``; only ``api`` maps them to HTTP
(``api/errors_http.py``: by code). One style: a subclass names its code (or takes one of its
family's) and builds both messages itself; no error inherits across packages, and nothing outside
``core`` raises the root itself. The tree, by package (each package's classes live in the
``errors.py`` named on its line)::

    ZhengzhaoError                        core: the root; core raises config.invalid as is
    ├── ocr.errors
    │   ├── InputError                    an input file (input.*)
    │   └── EngineError                   an OCR engine or its models (ocr.*)
    ├── verify.forms.errors
    │   └── FormsError
    │       ├── ServiceInvalidError       a service definition (service.invalid)
    │       ├── ServiceNotFoundError      (service.not_found)
    │       └── MaterialInvalidError      a material's JSON (material.invalid)
    ├── verify.photo.errors
    │   ├── PhotoInputError               a photo file (input.*)
    │   ├── PhotoProfileError             a photo profile (photo.profile_*)
    │   ├── PhotoModelError               the face models (photo.model_unavailable)
    │   └── PhotoFixError                 an automatic fix (photo.fix_impossible)
    ├── signing.errors
    │   ├── SigningError                  the key store (keys.*)
    │   │   ├── KeysMissingError, KeysExistError, KeysPassphraseError, KeysInvalidError
    │   │   └── PdfSigningError           a PDF to sign (input.corrupt, input.pdf_encrypted)
    │   ├── TokenMalformedError           a QR token or status list part (token.malformed)
    │   │   └── TokenNonCanonicalError
    │   └── OfdFormatError                an OFD package that cannot be read safely (ofd.*)
    ├── elicense.errors
    │   └── LicenceError                  a licence (licence.*; a template or font: config.invalid)
    │       ├── LicenceRecordInvalidError, LicenceTemplateMissingError,
    │       │   LicenceTemplateInvalidError, LicenceFontMissingError, LicenceExistsError,
    │       │   LicenceIssuerNotOursError, LicenceNotFoundError, RegistryCorruptError,
    │       │   TrustMaterialError
    │       └── TrustImportError          another office's trust folder (trust.*)
    │           └── TrustIssuerNotFoundError
    └── api (the service; nothing below it imports these)
        ├── api.errors                    the top-level modules of api
        │   ├── StorageError              the file store (api.storage)
        │   │   └── StorageKeyInvalidError, StoredFileNotFoundError, StoredFileCorruptError
        │   ├── ProductionConfigError     prod refuses to start (config.invalid; api.data_dir)
        │   └── NoSigningKeysError        no key store outside dev (keys.missing; api.deps)
        ├── api.db.errors
        │   └── DatabaseError             InvalidTransitionError, AccountExistsError,
        │                                 AccountInvalidError
        ├── api.jobs.errors
        │   └── JobsError                 JobsConfigError, JobTimeoutError
        ├── api.workflow.errors           the use cases: WorkflowConflictError,
        │                                 WorkflowNotFoundError, WorkflowInputError,
        │                                 AccountGoneError, MaterialInvalidError,
        │                                 UploadRejectedError, QuotaExceededError,
        │                                 HolderIdInvalidError, VerificationInputError
        ├── api.cli.errors                the commands: InputFileTooLargeError,
        │                                 InputFileUnreadableError, TrustAnchorError,
        │                                 CertificateNotFoundError, NotRevocableError,
        │                                 CertificateInUseError (keys revoke)
        └── api.errors_http               the HTTP layer's own (only api's HTTP modules raise it)
            └── ApiError
                └── LoginThrottled        (auth.throttled; api.login_guard)

Four internal exceptions are not part of the tree: ``signing.pdf_streams.PdfTooComplexError``
(a ``ValueError`` the PDF readers turn into their verdict), ``signing.der_walk.DerError`` and
``signing.pdf_revisions.LayoutError`` (``ValueError`` subclasses of the strict readers under the PDF
fast path, which then hands the file to the full validator) and
``api.web_session.LoginRequired`` (a page's login redirect, never an error response).
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable error codes. Never rename a member: clients match on the value."""

    # Input files (ocr.loading)
    INPUT_EMPTY = "input.empty"
    INPUT_TOO_LARGE = "input.too_large"
    INPUT_UNSUPPORTED_TYPE = "input.unsupported_type"
    INPUT_TYPE_MISMATCH = "input.type_mismatch"
    INPUT_TRUNCATED = "input.truncated"
    INPUT_CORRUPT = "input.corrupt"
    INPUT_TOO_MANY_PIXELS = "input.too_many_pixels"
    INPUT_TOO_SMALL = "input.too_small"
    INPUT_PDF_ENCRYPTED = "input.pdf_encrypted"
    INPUT_PDF_TOO_MANY_PAGES = "input.pdf_too_many_pages"
    INPUT_NOT_FOUND = "input.not_found"
    # OCR engines
    ENGINE_UNAVAILABLE = "ocr.engine_unavailable"
    ENGINE_MODEL_MISSING = "ocr.model_missing"
    ENGINE_FAILED = "ocr.engine_failed"
    # Configuration
    CONFIG_INVALID = "config.invalid"
    # Service definitions and form validation (verify.forms)
    SERVICE_INVALID = "service.invalid"
    SERVICE_NOT_FOUND = "service.not_found"
    MATERIAL_INVALID = "material.invalid"
    # Portrait photos (verify.photo)
    PHOTO_PROFILE_INVALID = "photo.profile_invalid"
    PHOTO_PROFILE_NOT_FOUND = "photo.profile_not_found"
    PHOTO_MODEL_UNAVAILABLE = "photo.model_unavailable"
    PHOTO_FIX_IMPOSSIBLE = "photo.fix_impossible"
    # Keys, signatures, tokens (signing) and e-licences (elicense)
    KEYS_MISSING = "keys.missing"
    KEYS_EXIST = "keys.exist"
    KEYS_PASSPHRASE = "keys.wrong_passphrase"
    KEYS_INVALID = "keys.invalid"
    # `zhengzhao keys revoke`: no store certificate has that serial; a root (on no CRL); a
    # certificate the office still signs with (the current one without --rotate, a CA, ...)
    KEYS_CERT_NOT_FOUND = "keys.certificate_not_found"
    KEYS_NOT_REVOCABLE = "keys.not_revocable"
    KEYS_IN_USE = "keys.in_use"
    TOKEN_MALFORMED = "token.malformed"
    LICENCE_RECORD_INVALID = "licence.record_invalid"
    LICENCE_TEMPLATE_MISSING = "licence.template_missing"
    LICENCE_NOT_FOUND = "licence.not_found"
    LICENCE_EXISTS = "licence.exists"
    REGISTRY_CORRUPT = "licence.registry_corrupt"
    LICENCE_ISSUER_NOT_OURS = "licence.issuer_not_ours"
    # OFD packages (signing.ofd_package): each way an untrusted package is refused
    OFD_NOT_ZIP = "ofd.not_zip"
    OFD_CORRUPT = "ofd.corrupt"  # truncated, bad CRC, an unsupported compression method
    OFD_TOO_LARGE = "ofd.too_large"  # the package's bytes or its number of entries
    OFD_ZIP_BOMB = "ofd.zip_bomb"  # an entry or all of them inflate too far (size or ratio)
    OFD_ENCRYPTED = "ofd.encrypted"
    OFD_PATH_NAME = "ofd.path_name"  # absolute, "..", backslash, control characters, links
    OFD_DUPLICATE_ENTRY = "ofd.duplicate_entry"  # the same name twice (after normalisation)
    OFD_MISSING_ENTRY = "ofd.missing_entry"  # OFD.xml, a document or a page it names
    OFD_XML_TOO_LARGE = "ofd.xml_too_large"
    OFD_XML_FORBIDDEN = "ofd.xml_forbidden"  # a DTD, an entity or an external reference
    OFD_XML_INVALID = "ofd.xml_invalid"  # not well-formed, or not the element expected
    OFD_SEAL_MALFORMED = "ofd.seal_malformed"  # a SESeal / SES_Signature that is not its ASN.1
    # The service (api)
    NOT_FOUND = "api.not_found"
    UNAUTHORIZED = "auth.unauthorized"
    FORBIDDEN = "auth.forbidden"
    TOKEN_EXPIRED = "auth.token_expired"
    RATE_LIMITED = "api.rate_limited"
    LOGIN_THROTTLED = "auth.throttled"  # too many failed sign-ins: wait (Retry-After)
    CSRF_FAILED = "auth.csrf"  # a form post without our CSRF token or from another origin
    HOST_NOT_ALLOWED = "api.host_not_allowed"  # the Host header is not in ZZ_TRUSTED_HOSTS
    VALIDATION_FAILED = "api.validation_failed"
    CONFLICT = "api.conflict"
    INVALID_TRANSITION = "application.invalid_transition"
    # Trust lists of other issuers (elicense.trust_store)
    TRUST_INVALID = "trust.invalid"
    TRUST_OWN_ISSUER = "trust.own_issuer"
    TRUST_ROLLBACK = "trust.rollback"
    TRUST_NOT_FOUND = "trust.not_found"
    TRUST_CONFLICT = "trust.conflict"
    # This office's CRLs at their distribution points (GET /pki/{name}.crl)
    CRL_NOT_FOUND = "crl.not_found"
    # Fair jobs (api.jobs) and the holder an account is bound to (秒批)
    JOBS_QUOTA_EXCEEDED = "jobs.quota_exceeded"
    JOBS_TIMEOUT = "jobs.timeout"
    HOLDER_ID_INVALID = "holder.id_invalid"


class ZhengzhaoError(Exception):
    """Root of every deliberate zhengzhao error.

    ``code`` is stable and machine-readable; ``message_zh`` and ``message_en`` are for people.
    Messages never contain personal data (names, ID numbers, OCR text) or key material.
    """

    code: ErrorCode

    def __init__(self, code: ErrorCode, message_en: str, message_zh: str) -> None:
        super().__init__(f"{code.value}: {message_en}")
        self.code = code
        self.message_en = message_en
        self.message_zh = message_zh

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready description: ``{"code", "message_en", "message_zh"}``."""
        return {
            "code": self.code.value,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
        }
