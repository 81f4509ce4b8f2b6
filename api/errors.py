"""Errors of the service's own modules at the top of ``api`` (its subpackages keep theirs:
``api.db.errors``, ``api.jobs.errors``, ``api.workflow.errors``, ``api.cli.errors``): the
content-addressed file store (``api.storage``), a production start refused for its settings
(``api.data_dir``), a published folder with no keys to sign it (``api.deps``).

These know no HTTP: ``api.errors_http`` maps their codes to statuses, the CLI prints them.
Messages name keys and settings, never file contents or personal data."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError

__all__ = ["NoSigningKeysError", "ProductionConfigError", "StorageError",
           "StorageKeyInvalidError", "StoredFileCorruptError", "StoredFileNotFoundError"]


class StorageError(ZhengzhaoError):
    """Root of the file store's errors."""


class StorageKeyInvalidError(StorageError):
    """A key that is not a lower-case hex SHA-256 (what a path trick looks like)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.VALIDATION_FAILED,
                         "a stored-file key is 64 lower-case hex digits (a SHA-256)",
                         "文件标识须为 64 位小写十六进制（SHA-256）")


class StoredFileNotFoundError(StorageError):
    """No blob with that SHA-256 in the store."""

    def __init__(self, sha256: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"no stored file {sha256}",
                         f"找不到文件 {sha256}")
        self.sha256 = sha256


class StoredFileCorruptError(StorageError):
    """A blob whose bytes no longer hash to its key (disk damage or tampering)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(ErrorCode.CONFLICT, f"stored file {sha256} is damaged",
                         f"文件 {sha256} 已损坏")
        self.sha256 = sha256


class ProductionConfigError(ZhengzhaoError):
    """``prod`` refuses to start: ``problems`` (English, Chinese) name every setting found
    wanting by ``api.data_dir.production_problems`` (``config.invalid``)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            ErrorCode.CONFIG_INVALID,
            "refusing to start in production: " + "; ".join(en for en, _ in problems),
            "生产环境拒绝启动：" + "；".join(zh for _, zh in problems))


class NoSigningKeysError(ZhengzhaoError):
    """Outside dev the published folder needs the office's key store, and there is none
    (``keys.missing``)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.KEYS_MISSING, "no signing keys (run `zhengzhao keys init`)",
                         "没有签发密钥（请先运行 `zhengzhao keys init`）")
