"""Errors of ``signing``: key material that is missing, already present, locked with another
passphrase or unusable (the key store and PKI); a PDF that cannot be signed
(:func:`signing.sign_pdf`); bytes that are not a well-formed token part (the token modules
``signing.base45``, ``signing.cose``, ``signing.token_claims``, ``signing.tokens``,
``signing.status_list``); an OFD package that cannot be read safely (``signing.ofd_package``).

A signature, trust list entry or token that does not verify is never an error to a verifier: it
returns a verdict (:func:`signing.validate_pdf`, :func:`signing.tokens.verify_token` and
:func:`signing.status_list.verify_status_list` turn every token error into a verdict code).
Only the low-level decoders and the encoders raise the token errors.

Messages name files and key ids only, never key material, document content, claim values
(names, ID numbers) or other personal data.
"""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError

__all__ = ["KeysExistError", "KeysInvalidError", "KeysMissingError", "KeysPassphraseError",
           "OfdFormatError", "PdfSigningError", "SigningError", "TokenMalformedError",
           "TokenNonCanonicalError"]


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


class PdfSigningError(SigningError):
    """The PDF to sign is unreadable (``INPUT_CORRUPT``) or encrypted (``INPUT_PDF_ENCRYPTED``)."""

    def __init__(self, code: ErrorCode, message_en: str, message_zh: str) -> None:
        super().__init__(code, message_en, message_zh)


class TokenMalformedError(ZhengzhaoError):
    """Bytes or text that are not a well-formed token part (base45, zlib, CBOR, COSE_Sign1, CWT
    claims, status list), or claims that cannot be put into a token. Code ``TOKEN_MALFORMED``.

    Build it with the reason only: ``TokenMalformedError(message_en, message_zh)``.
    """

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(ErrorCode.TOKEN_MALFORMED, message_en, message_zh)


class TokenNonCanonicalError(TokenMalformedError):
    """A well-formed COSE_Sign1 that is not byte for byte the layout we issue: wrapped in
    another tag, extra or unprotected headers, a non-minimal or indefinite-length encoding, a
    map in another order, or a high-S ECDSA signature. Each of these lets anyone make a second
    encoding of the same signed token, so a verifier refuses them (``token.non_canonical``)."""


class OfdFormatError(ZhengzhaoError):
    """An OFD package (a zip of XML and resources, GB/T 33190) that :func:`signing.read_ofd`
    refuses: not a zip, a zip bomb, an unsafe or duplicate entry name, an encrypted entry, a
    missing part, XML that is too large, carries a DTD or entities, or is not what the part must
    be. ``code`` is one of the ``ofd.*`` codes; ``entry`` names the package entry concerned (a
    path inside the package, never its content), empty when the package as a whole is at fault.
    """

    def __init__(self, code: ErrorCode, message_en: str, message_zh: str,
                 entry: str = "") -> None:
        super().__init__(code, message_en, message_zh)
        self.entry = entry
