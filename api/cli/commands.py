"""The command table: every ``zhengzhao`` command with its one-line help and the dotted module
that implements it. ``zhengzhao --help`` is built from this table alone; a command's module is
imported (with ``importlib``) only when that command runs or its own ``--help`` is asked for.
This module therefore imports nothing of the project and nothing heavy.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["COMMANDS", "Command", "DataDir", "PREPARE_DATA_DIR", "by_name", "resolve"]


class DataDir(Enum):
    """When the data dir is settled before the command runs (``api.data_dir``: 0700, secrets,
    a legacy dev key store re-encrypted; in prod it refuses to serve on weak ground)."""

    NEVER = "never"
    IN_DEV = "dev"  # reads the data dir's keys or database: settle it first in dev, as serve does
    ALWAYS = "always"  # starts the service


# The prelude named like the commands (``module:attribute``), loaded only by the commands that
# need it: it pulls in SQLAlchemy and the key store.
PREPARE_DATA_DIR = "api.data_dir:prepare_data_dir"


AddArguments = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace, Any], int]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    module: str
    arguments: str = "add_arguments"
    data_dir: DataDir = DataDir.NEVER

    def load(self) -> tuple[AddArguments, Run]:
        """Import the command's module: its argument builder (``add_arguments``, or the one
        ``arguments`` names when a module implements several commands) and its ``run``."""
        module = importlib.import_module(self.module)
        return getattr(module, self.arguments), module.run


COMMANDS: tuple[Command, ...] = (
    Command("ocr", "read documents and print their fields", "api.cli.ocr"),
    Command("demo", "OCR the bundled sample documents and compare with truth", "api.cli.demo"),
    Command("validate", "check an application's materials against a service definition",
            "api.cli.validate"),
    Command("check-photo", "check a portrait photo against an ID-photo spec", "api.cli.photo"),
    Command("keys", "make, rotate and publish the licence-signing keys", "api.cli.keys",
            data_dir=DataDir.IN_DEV),
    Command("issue", "issue a signed e-licence (PDF, OFD or both) from a record",
            "api.cli.licence", "add_issue_arguments", DataDir.IN_DEV),
    Command("revoke", "revoke an issued licence", "api.cli.licence", "add_revoke_arguments",
            DataDir.IN_DEV),
    Command("verify", "verify an e-licence PDF, OFD or QR token offline", "api.cli.licence",
            "add_verify_arguments"),
    Command("publish", "write the trust folder verifiers need", "api.cli.licence",
            "add_publish_arguments", DataDir.IN_DEV),
    Command("users", "manage service accounts", "api.cli.users", data_dir=DataDir.IN_DEV),
    Command("trust", "import, list and remove other issuers' trust lists", "api.cli.trust",
            data_dir=DataDir.IN_DEV),
    Command("serve", "run the web service (API and verifier pages)", "api.cli.serve",
            data_dir=DataDir.ALWAYS),
    Command("worker", "run the background jobs (OCR, photo checks, validation)",
            "api.cli.worker", data_dir=DataDir.ALWAYS),
    Command("paddle-models", "unpack the bundled PaddleOCR models to DIR", "api.cli.paddle"),
)


def by_name(name: str) -> Command | None:
    return next((command for command in COMMANDS if command.name == name), None)


def resolve(target: str) -> Any:
    """``module:attribute`` (as console scripts and uvicorn name them) imported and looked up."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)
