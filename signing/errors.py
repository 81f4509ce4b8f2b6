"""Errors of the key store and PKI (``signing``): key material that is missing, already present,
locked with another passphrase or unusable. A signature, trust list entry or token that does not
verify is never an error to a verifier: it returns a verdict. (Token parsing errors live in
``signing.token_errors``.)

Messages name files and key ids only, never key material or personal data.
"""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class SigningError(ZhengzhaoError):
    """Root of the errors raised by ``signing``."""


class KeysMissingError(SigningError):
    """The keys directory (or one of its files) does not exist: run ``zhengzhao keys init``."""

    def __init__(self, what: str) -> None:
        super().__init__(
            ErrorCode.KEYS_MISSING,
            f"key material missing: {what} (run `zhengzhao keys init`)",
            f"缺少密钥材料：{what}（请先运行 `zhengzhao keys init`）",
        )
        self.what = what


class KeysExistError(SigningError):
    """``keys init`` would overwrite existing keys; it needs ``--force``."""

    def __init__(self, directory: str) -> None:
        super().__init__(
            ErrorCode.KEYS_EXIST,
            f"keys already exist in {directory}; use --force to replace them",
            f"{directory} 中已有密钥；如需替换请使用 --force",
        )
        self.directory = directory


class KeysPassphraseError(SigningError):
    """The passphrase does not decrypt the private key (or is empty)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            ErrorCode.KEYS_PASSPHRASE,
            f"the passphrase does not unlock {what} (check ZZ_KEY_PASSPHRASE)",
            f"口令无法解密 {what}（请检查 ZZ_KEY_PASSPHRASE）",
        )
        self.what = what


class KeysInvalidError(SigningError):
    """A key, certificate, CRL or trust list is unreadable or not what it must be."""

    def __init__(self, what: str, problem: str) -> None:
        super().__init__(
            ErrorCode.KEYS_INVALID,
            f"invalid key material {what}: {problem}",
            f"密钥材料 {what} 无效：{problem}",
        )
        self.what = what
        self.problem = problem
