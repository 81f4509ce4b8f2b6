"""Errors of ``elicense``: a licence record that breaks the metadata rules, a licence type with no
template, a template file that cannot be used, another office's trust folder that cannot be
imported (``elicense.trust_files``, ``elicense.trust_store``). An *invalid licence identifier* is
not an error: :func:`elicense.parse_identifier` returns an :class:`elicense.IdentifierCheck`
naming the problems. Messages name files and field paths, never the personal data inside them."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class LicenceError(ZhengzhaoError):
    """Root of the errors raised by ``elicense``."""


class LicenceRecordInvalidError(LicenceError):
    """A licence record (JSON) is unreadable, breaks the GB/T 36903 metadata rules, or lacks
    something its template needs; ``path`` names the offending field (``holder_code``)."""

    def __init__(self, source: str, problem: str, path: str = "") -> None:
        where = f"{source}: {path}" if path else source
        super().__init__(
            ErrorCode.LICENCE_RECORD_INVALID,
            f"licence record {where}: {problem}",
            f"证照记录有误 {where}：{problem}",
        )
        self.source = source
        self.path = path
        self.problem = problem


class LicenceTemplateMissingError(LicenceError):
    """No template for that licence type code (证照类型代码)."""

    def __init__(self, type_code: str, known: list[str]) -> None:
        listing = ", ".join(known) or "none"
        super().__init__(
            ErrorCode.LICENCE_TEMPLATE_MISSING,
            f"no licence template for type code {type_code!r} (known: {listing})",
            f"没有证照类型代码为“{type_code}”的证照模板（已有：{listing}）",
        )
        self.type_code = type_code


class LicenceTemplateInvalidError(LicenceError):
    """A template file is unreadable or breaks the template format. Templates are configuration,
    so the code is ``config.invalid``."""

    def __init__(self, source: str, problem: str, path: str = "") -> None:
        where = f"{source}: {path}" if path else source
        super().__init__(
            ErrorCode.CONFIG_INVALID,
            f"licence template {where}: {problem}",
            f"证照模板有误 {where}：{problem}",
        )
        self.source = source
        self.path = path
        self.problem = problem


class LicenceFontMissingError(LicenceError):
    """The embedded typeface (WenQuanYi Zen Hei) is not installed: a deployment problem."""

    def __init__(self, path: str) -> None:
        super().__init__(
            ErrorCode.CONFIG_INVALID,
            f"font {path} is missing: install the Debian package fonts-wqy-zenhei",
            f"缺少字体 {path}：请安装 Debian 软件包 fonts-wqy-zenhei",
        )
        self.path = path


class LicenceExistsError(LicenceError):
    """A licence with this identifier was already issued (identifiers are never reused)."""

    def __init__(self, identifier: str) -> None:
        super().__init__(
            ErrorCode.LICENCE_EXISTS,
            f"a licence with identifier {identifier} was already issued",
            f"证照标识 {identifier} 已签发过，不能重复使用",
        )
        self.identifier = identifier


class LicenceIssuerNotOursError(LicenceError):
    """A record names another issuer than this office: we issue only in our own name (a
    licence we signed in another office's name would fail every verifier's issuer check)."""

    def __init__(self, field: str) -> None:
        super().__init__(
            ErrorCode.LICENCE_ISSUER_NOT_OURS,
            f"the record's {field} is not this office's: a licence is issued only in the name "
            "of the office whose keys sign it",
            f"记录中的{_FIELD_ZH.get(field, field)}不是本机关的：证照只能以签名机关自己的名义签发",
        )
        self.field = field


_FIELD_ZH = {"issuer_code": "颁发机构代码", "issuer": "颁发机构名称",
             "key store": "签名密钥所属机构"}


class LicenceNotFoundError(LicenceError):
    """No licence with this identifier in the register."""

    def __init__(self, identifier: str) -> None:
        super().__init__(
            ErrorCode.LICENCE_NOT_FOUND,
            f"no licence with identifier {identifier} in the register",
            f"登记簿中没有证照标识为 {identifier} 的证照",
        )
        self.identifier = identifier


class RegistryCorruptError(LicenceError):
    """The register file cannot be read as a register (edited by hand, disk trouble)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(
            ErrorCode.REGISTRY_CORRUPT,
            f"licence register {source} cannot be used: {problem}",
            f"证照登记簿 {source} 无法使用：{problem}",
        )


class TrustMaterialError(LicenceError):
    """A published trust folder lacks a file or holds a broken one."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(
            ErrorCode.KEYS_INVALID,
            f"trust material {source}: {problem}",
            f"信任材料 {source} 有误：{problem}",
        )
        self.source = source


class TrustImportError(LicenceError):
    """A trust folder (or zip) cannot be imported; ``problem`` says why, without contents."""

    def __init__(self, problem: str, problem_zh: str, code: ErrorCode = ErrorCode.TRUST_INVALID
                 ) -> None:
        super().__init__(code, f"trust list not imported: {problem}",
                         f"信任列表未导入：{problem_zh}")
        self.problem = problem


class TrustIssuerNotFoundError(TrustImportError):
    """No imported issuer with that code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no imported issuer {code}", f"没有已导入的签发机构 {code}",
                         ErrorCode.TRUST_NOT_FOUND)
