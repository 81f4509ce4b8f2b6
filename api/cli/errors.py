"""The one error printer of the CLI: every ``Error: ...`` line the commands print is made here.

A :class:`core.ZhengzhaoError` becomes ``Error: [<file>: ]<English> / <Chinese> [<code>]`` on
stderr (and ``{"error": {...}}`` on stdout for ``--json`` commands that answer in JSON), settings
that do not validate become one ``Error: <message>`` per problem, and an ``OSError`` that no
command handled becomes ``Error: <message>``; the caller gets the exit code back (1 a file or
check failed, 2 usage or configuration). Tracebacks only with ``--verbose``.

The commands' own errors live here too: a file named on the command line that is too large
(``input.too_large``) or cannot be read (``input.not_found``), and a ``--trust-anchor`` file
that holds no certificate (``input.unsupported_type``); and ``keys revoke``'s refusals
(``keys.certificate_not_found``, ``keys.not_revocable``, ``keys.in_use``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from api.cli.common import EXIT_FAILED, EXIT_USAGE, emit_json
from core import ErrorCode, ZhengzhaoError

__all__ = ["CertificateInUseError", "CertificateNotFoundError", "InputFileTooLargeError",
           "InputFileUnreadableError", "NotRevocableError", "TrustAnchorError", "fail", "fail_os",
           "fail_settings", "print_error"]

log = logging.getLogger("api.cli")


class InputFileTooLargeError(ZhengzhaoError):
    """A file named on the command line is larger than the command reads (``input.too_large``)."""

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(ErrorCode.INPUT_TOO_LARGE, f"{name} is larger than {limit} bytes",
                         f"{name} 超过 {limit} 字节")


class InputFileUnreadableError(ZhengzhaoError):
    """A file named on the command line cannot be read (``input.not_found``)."""

    def __init__(self, name: str) -> None:
        super().__init__(ErrorCode.INPUT_NOT_FOUND, f"cannot read {name}", f"无法读取 {name}")


class _Console(Protocol):  # rich.console.Console, without importing rich here
    def print(self, *objects: object, markup: bool | None = ..., highlight: bool | None = ...
              ) -> None: ...


class TrustAnchorError(ZhengzhaoError):
    """A ``--trust-anchor`` file that holds no readable certificate (``input.unsupported_type``).
    """

    def __init__(self, name: str) -> None:
        super().__init__(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                         f"{name} holds no PEM or DER certificate",
                         f"{name} 中没有 PEM 或 DER 格式的证书")


# `zhengzhao keys revoke` refusing (api.cli.keys_revoke): nothing is changed.

class CertificateNotFoundError(ZhengzhaoError):
    """No certificate of the store has the serial asked for (``keys.certificate_not_found``)."""

    def __init__(self, serial: str) -> None:
        super().__init__(ErrorCode.KEYS_CERT_NOT_FOUND,
                         f"no certificate in the key store has serial {serial}",
                         f"密钥库中没有序列号为 {serial} 的证书")


class NotRevocableError(ZhengzhaoError):
    """A root: no CRL lists it (``keys.not_revocable``)."""

    def __init__(self, serial: str) -> None:
        super().__init__(ErrorCode.KEYS_NOT_REVOCABLE,
                         f"{serial} is a root certificate: a root is on no CRL and cannot be "
                         "revoked; make new keys (`zhengzhao keys init --force`) instead",
                         f"{serial} 是根证书，不在任何证书吊销列表中，无法吊销；"
                         "请改为重新生成密钥（`zhengzhao keys init --force`）")


class CertificateInUseError(ZhengzhaoError):
    """The office still signs with it and the option that allows revoking it was not given
    (``keys.in_use``)."""

    def __init__(self, serial: str, option: str) -> None:
        if option == "--rotate":
            en = (f"{serial} is the current certificate: new licences would be signed with a "
                  "revoked key; add --rotate to make a new one first")
            zh = (f"{serial} 是当前使用的证书，吊销后新证照将用已吊销的密钥签名；"
                  "请加 --rotate 先生成新证书")
        else:
            en = (f"{serial} is a CA, timestamp or seal-maker certificate the office keeps "
                  "using: everything signed afterwards fails verification until new keys are "
                  "made (`zhengzhao keys init --force`); add --force to revoke it anyway")
            zh = (f"{serial} 是本机构仍在使用的 CA、时间戳或制章人证书，"
                  "吊销后签发的一切都将验证失败，"
                  "直至重新生成密钥（`zhengzhao keys init --force`）；确需吊销请加 --force")
        super().__init__(ErrorCode.KEYS_IN_USE, en, zh)


def print_error(message_en: str, message_zh: str | None = None, code: str | None = None, *,
                path: Path | None = None, console: _Console | None = None) -> None:
    """``Error: [path: ]en[ / zh][ [code]]`` on stderr; through ``console`` (a rich console on
    stderr) while a command draws progress bars on it."""
    where = f"{path}: " if path is not None else ""
    line = (f"Error: {where}{message_en}" + (f" / {message_zh}" if message_zh else "")
            + (f" [{code}]" if code else ""))
    if console is not None:
        console.print(line, markup=False, highlight=False)
    else:
        print(line, file=sys.stderr)


def fail(exc: ZhengzhaoError, exit_code: int = EXIT_USAGE, *, as_json: bool = False,
         path: Path | None = None, console: _Console | None = None, verbose: bool = False,
         with_code: bool = True) -> int:
    """Report ``exc`` (JSON on stdout when ``as_json``, the line on stderr) and return
    ``exit_code``. ``with_code=False`` keeps the account commands' lines, which never showed it."""
    if verbose:
        log.exception("failed")
    if as_json:
        emit_json({"error": exc.to_dict()})
    print_error(exc.message_en, exc.message_zh, exc.code.value if with_code else None,
                path=path, console=console)
    return exit_code


def fail_settings(exc: ValidationError) -> int:
    """Settings from the environment that do not validate: a usage error, one line each."""
    for error in exc.errors():
        print_error(error["msg"])
    return EXIT_USAGE


def fail_os(exc: OSError, *, verbose: bool = False) -> int:
    """A file the command could not read or write and did not report itself."""
    if verbose:
        log.exception("failed")
    where = f"{exc.filename}: " if exc.filename else ""
    print_error(f"{where}{exc.strerror or exc}")
    return EXIT_FAILED
