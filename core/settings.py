"""The one validated settings object, read from ``ZZ_*`` environment variables or ``.env``.

Never build :class:`Settings` at import time: entry points call :func:`get_settings` (cached)
and pass the object down, so tests can build their own.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class OcrEngineName(StrEnum):
    """The OCR backends zhengzhao knows."""

    RAPIDOCR = "rapidocr"
    PADDLEOCR = "paddleocr"


class OcrRuntime(StrEnum):
    """Where the default engine runs its ONNX models."""

    ONNXRUNTIME = "onnxruntime"
    OPENVINO = "openvino"


class Environment(StrEnum):
    """Where the service runs: ``dev`` generates missing secrets and a demo PKI into the data
    dir on first start; ``prod`` refuses generated or short secrets, demo PKIs and data others
    may read."""

    DEV = "dev"
    PROD = "prod"


class CrashPoint(StrEnum):
    """TEST ONLY: the steps of issuing a licence after which ``ZZ_CRASH_AT`` exits the process
    (``api.workflow.issuing``); a production service refuses the setting."""

    AFTER_RESERVE = "after_reserve"
    AFTER_SIGN = "after_sign"
    AFTER_COMMIT = "after_commit"


# Production secrets are at least this long (core.secrets generates longer ones in dev).
MIN_PROD_SECRET_CHARS = 32
# Values earlier versions built in, published with the source: refused in every environment.
PUBLISHED_SECRETS = frozenset({"zhengzhao-dev-only-passphrase",
                               "zhengzhao-dev-only-secret-key-change-me"})


class Settings(BaseSettings):
    """All configuration, validated. Environment variables carry the ``ZZ_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="ZZ_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    log_level: str = "WARNING"

    # OCR
    ocr_engine: OcrEngineName = OcrEngineName.RAPIDOCR
    # OpenVINO runs the same PP-OCR ONNX files about twice as fast as ONNX Runtime on the CPUs
    # measured (bench/ocr.py); ONNX Runtime remains one setting away.
    ocr_runtime: OcrRuntime = OcrRuntime.OPENVINO
    ocr_openvino_shape_cache: int = Field(
        default=5000, ge=0, description="OpenVINO kernels kept per input shape: speed vs memory"
    )
    ocr_threads: int = Field(default=2, ge=1, le=64, description="ONNX Runtime intra-op threads")
    ocr_det_max_side: int = Field(
        default=1280, ge=320, le=4096, description="Longest side fed to the text detector (pages)"
    )
    ocr_card_det_side: int = Field(
        default=640, ge=320, le=4096, description="Longest side fed to the detector for cards"
    )
    ocr_rec_batch: int = Field(default=8, ge=1, le=64)
    ocr_min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    paddle_model_dir: Path | None = Field(
        default=None,
        description="Directory holding PaddleOCR det/rec/cls inference model folders",
    )

    # Validation (verify)
    services_dir: Path | None = Field(
        default=None,
        description="Extra service definitions (*.yaml/*.json); the bundled verify/forms/services "
        "are always loaded, a file here with the same service id replaces the bundled one",
    )
    photo_profiles_dir: Path | None = Field(
        default=None,
        description="Extra ID-photo profiles (*.yaml/*.json), added to the built-in ones",
    )
    min_field_confidence: float = Field(
        default=0.80, ge=0.0, le=1.0,
        description="OCR confidence below which a field needs a clerk's attention",
    )
    photo_threads: int = Field(default=1, ge=1, le=64, description="Threads for the face models")

    # Keys and the issuing office (signing, elicense)
    environment: Environment = Environment.DEV
    keys_dir: Path | None = Field(
        default=None, description="PEM keys and certificates; default <data_dir>/keys")
    key_passphrase: SecretStr | None = Field(
        default=None,
        description="Encrypts the private keys at rest (>= 32 characters in prod). Unset: a "
        "random one generated into <data_dir>/secrets (dev only); read it with "
        "core.secrets.key_passphrase_of",
    )
    issuer_name: str = "示例市行政审批局（演示）"
    issuer_name_en: str = "Demo City Administrative Approval Bureau (demo)"
    issuer_code: str = Field(
        default="11110000000000019K",
        description="颁发机构代码: the issuer's USCC (a valid demo code of a government body)")
    jurisdiction_code: str = Field(
        default="110000", pattern=r"^\d{6}$", description="管辖属地编码 (GB/T 2260 division)")

    # Service (api)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/zhengzhao.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db")
    jobs_url: str | None = Field(
        default=None, description="Job queue: default a SQLite huey store in the data dir (a "
        "worker runs inside `serve`); redis://host:6379/0 for workers on several machines")
    jobs_queue: str = Field(
        default="zhengzhao", pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
        description="Queue name: keeps several services apart on one Redis (serve and every "
        "worker of one service must agree)")
    storage_dir: Path | None = Field(
        default=None, description="Content-addressed file store; default <data_dir>/files")
    published_dir: Path | None = Field(
        default=None, description="This office's published trust folder (trust list, root, "
        "CRLs, status list; `zhengzhao publish` copies it out); default <data_dir>/published")
    registry_dir: Path | None = Field(
        default=None, description="The file licence register used when the service has no "
        "database register; default <data_dir>/licences")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the API's bearer tokens (>= 32 characters in prod). Unset: a random "
        "one generated into <data_dir>/secrets (dev only); read it with "
        "core.secrets.secret_key_of")
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    verify_rate_per_minute: int = Field(
        default=120, ge=1, description="Public verification requests per client per minute")
    # Hosts, proxies and the public address (api.security_headers, docs/deploy-behind-proxy.md)
    trusted_hosts: str = Field(
        default="localhost,127.0.0.1,::1,testserver",
        description="Comma-separated Host names the service answers to (others get 400); "
        "'*.example.org' matches subdomains, '*' any host (not advised). The host of "
        "ZZ_PUBLIC_URL is always added")
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or CIDR networks of reverse proxies whose "
        "X-Forwarded-For / X-Forwarded-Proto are believed; empty: forwarded headers are "
        "ignored and the client is the connecting peer")
    public_url: str | None = Field(
        default=None, pattern=r"^https?://[^/\s?#@]+(/[^\s?#]*)?$",
        description="The address people use, e.g. https://zz.example.gov.cn: its origin is "
        "the one form posts may come from and its host is trusted; licence QR codes link to "
        "<public_url>/v#<token> (unset: they hold the bare token, docs/tokens.md section 10)")
    timezone: str = Field(
        default="Asia/Shanghai",
        description="The office's IANA time zone: the pages show times in it (times are "
        "stored in UTC)")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"[config.invalid] ZZ_TIMEZONE: no time zone {value!r} / "
                             f"没有时区 {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        """``timezone`` as a :class:`zoneinfo.ZoneInfo` (pages show local times in it)."""
        return ZoneInfo(self.timezone)

    # Input limits
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    min_image_side: int = Field(default=32, ge=1)
    max_pdf_pages: int = Field(default=10, ge=1)
    pdf_render_dpi: int = Field(default=200, ge=72, le=600)

    # Fair jobs: what one account may have waiting in the queue, and how long one job may run
    max_queued_jobs_per_user: int = Field(
        default=20, ge=1, description="Unfinished materials (jobs) one account may have queued")
    max_queued_pdf_pixels_per_user: int = Field(
        default=400_000_000, ge=10_000, description="Total pixels of the PDF pages (at the "
        "render DPI) one account may have queued, unfinished")
    job_deadline_seconds: float = Field(
        default=300.0, gt=0, description="A material job running longer fails (jobs.timeout)")

    # Test only: the issuing crash test (tests/integration/test_issuing_crash.py)
    crash_at: CrashPoint | None = Field(
        default=None, description="TEST ONLY: the process exits (os._exit) right after this "
        "step of issuing a licence (after_reserve, after_sign, after_commit), so a test can "
        "prove that a retry finishes the licence; refused when ZZ_ENVIRONMENT=prod")

    # Who may read /metrics: peers in these networks (comma-separated CIDRs; empty: nobody) or
    # a request with this bearer token
    metrics_allow: str = Field(default="127.0.0.0/8,::1/128")
    metrics_token: SecretStr | None = Field(default=None)

    @model_validator(mode="after")
    def _metrics_networks_parse(self) -> Settings:
        _ = self.metrics_networks
        return self

    @property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """``metrics_allow`` parsed (a bad CIDR refuses the settings)."""
        return tuple(ip_network(part.strip(), strict=False)
                     for part in self.metrics_allow.split(",") if part.strip())

    @model_validator(mode="after")
    def _no_generated_or_short_secrets_in_prod(self) -> Settings:
        for name, value in (("ZZ_KEY_PASSPHRASE", self.key_passphrase),
                            ("ZZ_SECRET_KEY", self.secret_key)):
            if value is not None and value.get_secret_value() in PUBLISHED_SECRETS:
                raise ValueError(
                    f"[config.invalid] {name} is a value published with zhengzhao's source: "
                    "unset it (dev generates one) or set a secret of your own / "
                    f"{name} 是随源代码公开的值：请删除该设置（开发环境会自动生成）"
                    "或设置自己的密钥")
        if self.environment is not Environment.PROD:
            return self
        if self.crash_at is not None:
            raise ValueError(
                "[config.invalid] ZZ_CRASH_AT is a test hook that kills the process while "
                "issuing: unset it in production (ZZ_ENVIRONMENT=prod) / ZZ_CRASH_AT 是仅供测试"
                "的故障注入设置，生产环境不得设置")
        for name, value in (("ZZ_KEY_PASSPHRASE", self.key_passphrase),
                            ("ZZ_SECRET_KEY", self.secret_key)):
            if value is None or len(value.get_secret_value()) < MIN_PROD_SECRET_CHARS:
                raise ValueError(
                    f"[config.invalid] {name} must be set, with at least "
                    f"{MIN_PROD_SECRET_CHARS} characters, in production (ZZ_ENVIRONMENT=prod) / "
                    f"生产环境必须设置 {name}，且至少 {MIN_PROD_SECRET_CHARS} 个字符")
        return self

    @property
    def trusted_host_names(self) -> tuple[str, ...]:
        """``trusted_hosts`` (lower case) plus the host of ``public_url``."""
        names = [p.strip().lower() for p in self.trusted_hosts.split(",") if p.strip()]
        if self.public_url:
            host = self.public_url.split("://", 1)[1].split("/", 1)[0].lower()
            names.append(host.rsplit(":", 1)[0] if not host.endswith("]") else host)
        return tuple(dict.fromkeys(n.removeprefix("[").removesuffix("]") for n in names))

    @property
    def trusted_proxy_list(self) -> tuple[str, ...]:
        """``trusted_proxies`` as a tuple (empty: no proxy is trusted)."""
        return tuple(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @property
    def resolved_database_url(self) -> str:
        """``database_url``, or a SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'zhengzhao.db'}"

    @property
    def resolved_storage_dir(self) -> Path:
        return self.storage_dir if self.storage_dir is not None else self.data_dir / "files"

    @property
    def resolved_published_dir(self) -> Path:
        """This office's published trust folder: ``published_dir``, or ``published/`` under
        the data dir (the service, the jobs and the CLI all read and write this one)."""
        return (self.published_dir if self.published_dir is not None
                else self.data_dir / "published")

    @property
    def resolved_registry_dir(self) -> Path:
        """The file licence register: ``registry_dir``, or ``licences/`` under the data dir."""
        return self.registry_dir if self.registry_dir is not None else self.data_dir / "licences"

    @property
    def resolved_keys_dir(self) -> Path:
        """Where the keys live: ``keys_dir``, or ``keys/`` under the data dir."""
        return self.keys_dir if self.keys_dir is not None else self.data_dir / "keys"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
