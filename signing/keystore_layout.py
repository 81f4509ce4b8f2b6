"""Where each file of the key store lives. See docs/keys.md for the picture.

```
<keys dir>/                     0700
  keystore.json                 format, creation time, issuer identity, CRL base URL
  root-ca.pem  root-ca.key.pem  (the root key belongs offline in production)
  issuing-ca.pem  issuing-ca.key.pem
  timestamp.pem  timestamp.key.pem
  signing/<seq>-<UTC stamp>-<kid hex>.pem / .key.pem   every licence-signing certificate ever made
  signing/current               the stem of the one used for new licences
  crl/root-ca.crl.pem  crl/issuing-ca.crl.pem  crl/state.json (CRL numbers, revoked serials)
  sm2/                          the SM2 PKI of the national profile (signing.keystore_sm2)
```
Every file is mode 0600; private keys are encrypted PKCS#8 PEM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from signing.pki import CertRole

METADATA_FILE = "keystore.json"
CURRENT_FILE = "current"
CA_ROLES = (CertRole.ROOT, CertRole.ISSUING_CA)


@dataclass(frozen=True)
class KeyLayout:
    """Paths inside one key store directory."""

    root: Path

    @property
    def metadata(self) -> Path:
        return self.root / METADATA_FILE

    @property
    def signing_dir(self) -> Path:
        return self.root / "signing"

    @property
    def crl_dir(self) -> Path:
        return self.root / "crl"

    @property
    def current(self) -> Path:
        return self.signing_dir / CURRENT_FILE

    @property
    def crl_state(self) -> Path:
        return self.crl_dir / "state.json"

    def certificate(self, role: CertRole) -> Path:
        """The certificate of a CA or of the timestamp authority (not the signing ones)."""
        if role is CertRole.LICENCE_SIGNING:
            raise ValueError("signing certificates live under signing/")
        return self.root / f"{role.value}.pem"

    def key(self, role: CertRole) -> Path:
        if role is CertRole.LICENCE_SIGNING:
            raise ValueError("signing keys live under signing/")
        return self.root / f"{role.value}.key.pem"

    def signing_certificate(self, stem: str) -> Path:
        return self.signing_dir / f"{stem}.pem"

    def signing_key(self, stem: str) -> Path:
        return self.signing_dir / f"{stem}.key.pem"

    def crl(self, ca: CertRole) -> Path:
        return self.crl_dir / f"{ca.value}.crl.pem"

    def signing_stems(self) -> list[str]:
        """Stems of every signing certificate, oldest first (stems start with a sequence number)."""
        if not self.signing_dir.is_dir():
            return []
        return sorted(p.name[: -len(".pem")] for p in self.signing_dir.glob("*.pem")
                      if not p.name.endswith(".key.pem"))


def aside_path(target: Path, now: datetime) -> Path:
    """A free ``<dir>.replaced-<UTC stamp>[-n]`` name next to ``target``."""
    base = f"{target.name}.replaced-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    candidate, n = target.with_name(base), 1
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{base}-{n}")
    return candidate
