"""Publishers take turns: one that read the register before a revocation and writes late never
leaves its stale status list in place once the revoker has published after its commit."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from trust_offices import US, Office  # a sibling module

from elicense import load_trust, publish, verify_licence_pdf


class SlowStaleRegistry:
    """The register as a publisher saw it before the revocation committed, read slowly."""

    def __init__(self, revoked: set[int], read_started: threading.Event) -> None:
        self._revoked = set(revoked)
        self._read_started = read_started

    def revoked_indices(self) -> set[int]:
        self._read_started.set()
        time.sleep(0.4)
        return set(self._revoked)


def test_a_late_stale_publisher_cannot_undo_a_revocation(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    office = Office(tmp_path, *US, made=now)
    issued = office.issue_company(now, uscc="91340100MA2N0X0X4K", holder="示例科技有限公司",
                                  representative="张三")
    identifier = str(issued.licence.identifier)
    stale = SlowStaleRegistry(office.registry.revoked_indices(), read_started := threading.Event())
    late = threading.Thread(target=publish, args=(office.store, stale, office.published,
                                                  office.code, now))
    late.start()
    assert read_started.wait(5)
    # Meanwhile the revocation commits and is published (after its commit).
    office.revoke(identifier, now)
    late.join(10)
    assert not late.is_alive()
    verdict = verify_licence_pdf(issued.pdf, load_trust(office.published), now=now)
    assert verdict.sub_indication == "licence.revoked"
    assert [p.name for p in office.published.iterdir()
            if p.name.startswith(".")] == []  # the lock lives beside the folder
