"""All configuration: environment (NDXP_ prefix, __ nesting) over one YAML file over defaults."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from ndxp_sim.core.catalogue import services
from ndxp_sim.core.own_ports import refusal

DEFAULT_CONFIG_FILE = Path(__file__).parent / "config" / "default.yaml"

# The shipped fake secrets: fine for a simulator on a laptop, refused when simulator_mode is off.
FAKE_JWT_SECRET = "fake-jwt-signing-secret-for-the-simulator-only"
FAKE_SUBJECT_KEY = "fake-subject-hmac-key-change-me"
FAKE_CALLBACK_KEY = "fake-callback-signing-key"
FAKE_RELAY_KEY = "fake-callback-relay-key"
FAKE_LIEN_THONG_SECRET = "fake-lien-thong-secret-G12"

DEFAULT_TIERS = {"Bronze": 1000, "Silver": 2000, "Gold": 5000, "Unlimited": 0}  # WSO2's names

BodyPolicy = Literal["off", "metadata", "masked", "full"]
Role = Literal["consumer", "operator"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceSettings(_Strict):
    """How the gateway reaches one backend and what it logs of it."""

    base_url: str | None = Field(None, description="backend base URL; the mock server's when unset")
    timeout_s: float = Field(10.0, gt=0)
    retries: int = Field(
        0, ge=0, le=5, description="extra attempts of idempotent operations when the backend is unreachable"
    )
    body_policy: BodyPolicy = "masked"
    body_cap_bytes: int = Field(8192, ge=0)
    breaker_failures: int = Field(
        5, ge=0, description="connect failures or timeouts in a row that open the circuit (0: never)"
    )
    breaker_cooldown_s: float = Field(
        15.0, gt=0, description="how long an open circuit fails fast before one probe call is let through"
    )


class LgspAccessKey(_Strict):
    """A provincial LGSP's `lgspaccesstoken` credential: base64 JSON {AccessKey, SecretKey, AppName,
    PartnerCode, …}, accepted at /token and on calls in place of the client credentials."""

    access_key: str = Field(..., min_length=1, max_length=256, description="AccessKey; names the consumer")
    secret_hash: str = Field(..., description="hash of SecretKey, as secret_hash (`ndxp-sim hash-secret`)")
    partner_code: str | None = Field(None, description="when set, the token's PartnerCode must be this")


class OidcClientSettings(_Strict):
    """The consumer's registration as a relying party of the simulated VNeID sign-in (service #23): its
    client_id is the consumer id, so the gateway's ACL, quota and records apply to it as to any call."""

    client_secret: SecretStr = Field(
        ..., description="for client_secret_basic / client_secret_post at the token endpoint (a fake one)"
    )
    redirect_uris: list[str] = Field(..., min_length=1, description="exact redirect URIs (no patterns)")
    post_logout_redirect_uris: list[str] = Field(default_factory=list, description="exact URIs")

    @field_validator("redirect_uris", "post_logout_redirect_uris")
    @classmethod
    def _absolute_without_fragment(cls, value: list[str]) -> list[str]:
        for uri in value:
            scheme, _, rest = uri.partition("://")
            if scheme not in ("http", "https") or not rest or "#" in uri:
                raise ValueError(f"{uri!r} must be an absolute http(s) URI without a fragment")
        return value


class ConsumerSettings(_Strict):
    """A consumer system (an agency's TTHC system) allowed to call the gateway."""

    id: str = Field(..., description="agency code, MaDonVi style (e.g. 000.00.00.H91)")
    name: str = ""
    secret_hash: str = Field(
        ..., description="pbkdf2_sha256$iterations$salt$hash, see `ndxp-sim hash-secret`"
    )
    allowed: dict[str, list[str]] = Field(
        default_factory=dict, description="service key (or *) -> operations (or [*])"
    )
    tier: str = "Gold"
    callback_urls: list[str] = Field(
        default_factory=list,
        description="URLs this consumer registered: exact, or `scheme://host[:port|:*]/path-prefix`",
    )
    roles: list[Role] = Field(default_factory=lambda: list[Role](["consumer"]))
    lgsp_access: LgspAccessKey | None = Field(None, description="its `lgspaccesstoken` credential, if any")
    oidc: OidcClientSettings | None = Field(None, description="its VNeID sign-in (vneid_sso) registration")

    @field_validator("callback_urls")
    @classmethod
    def _narrow_callback_patterns(cls, value: list[str]) -> list[str]:
        # A bare host (with any port) would let a dossier's callback reach every service on that host.
        for pattern in value:
            scheme, _, rest = pattern.partition("://")
            netloc, _, path = rest.partition("/")
            if scheme not in ("http", "https") or not netloc or "@" in netloc or not path.strip("/"):
                raise ValueError(
                    f"callback_urls: {pattern!r} must be http(s)://host[:port|:*]/path "
                    "(a path is required, e.g. http://127.0.0.1:*/callbacks)"
                )
        return value

    def may_call(self, service: str, operation: str) -> bool:
        ops = self.allowed.get(service, self.allowed.get("*"))
        return ops is not None and ("*" in ops or operation in ops)


class KafkaSettings(_Strict):
    bootstrap_servers: str | None = Field(None, description="host:port[,…]; unset means the embedded broker")
    embedded_port: int = Field(19092, description="port of the embedded broker `ndxp-sim up` starts")
    topic: str = "ndxp.exchanges"
    linger_ms: int = 10
    max_batch_size: int = 262_144
    # zstd: aiokafka compresses lz4 at level 9 (LZ4-HC), ~5 µs per 2 KB record; zstd costs under 1 µs and
    # packs the records twice as small (bench/README.md).
    compression_type: Literal["lz4", "gzip", "zstd", "snappy"] | None = "zstd"
    acks: Literal["all", 1, 0] = "all"
    enable_idempotence: bool = True
    group_id: str = "ndxp-indexer"


class LogSettings(_Strict):
    enabled: bool = True
    spool_dir: Path = Path("var/spool")
    subject_key: SecretStr = SecretStr(FAKE_SUBJECT_KEY)
    queue_max: int = Field(100_000, description="records held in memory before they go to the spool")
    ack_timeout_s: float = Field(
        1.0,
        gt=0,
        le=30,
        description="a broker that leaves the oldest sent record unacknowledged this long counts as down: "
        "memory goes to the spool and /health/ready says degraded",
    )


class StoreSettings(_Strict):
    url: str = "sqlite+aiosqlite:///var/exchanges.db"
    retention_days: float = Field(30.0, gt=0)


class MockSettings(_Strict):
    host: str = "127.0.0.1"
    port: int = 9100
    seed: int = 20251
    population: int = Field(10_000, ge=100, le=1_000_000)
    cache_dir: Path = Path("var/cache")
    state_file: Path | None = Field(
        Path("var/mock-state.db"),
        description="dossiers and callbacks survive a mock restart here; none: memory",
    )
    dossier_step_s: float = Field(5.0, gt=0, description="seconds between dossier status steps")
    callback_key: SecretStr = SecretStr(FAKE_CALLBACK_KEY)
    admin_token: SecretStr = Field(
        SecretStr("fake-mock-admin-token"),
        description="bearer token the mocks' /_admin API requires (a fake one by default)",
    )
    callback_retries: int = 6
    callback_backoff_s: float = 0.5
    callback_relay_url: str | None = Field(
        None,
        description="gateway base URL: callbacks go through its /_callbacks relay (recorded); none: direct",
    )
    callback_relay_key: SecretStr = Field(
        SecretStr(FAKE_RELAY_KEY), description="shared by mocks and gateway; opens the /_callbacks relay"
    )
    # Chained procedures (liên thông, NĐ 63/2024): the hộ tịch mock is their source system and calls the
    # other services' steps through the gateway at callback_relay_url as this consumer, whose ACL in the
    # config allows exactly those operations (README, "Chained procedures").
    lien_thong_client_id: str = Field("000.00.00.G12", description="consumer id the hộ tịch mock calls as")
    lien_thong_client_secret: SecretStr = Field(
        SecretStr(FAKE_LIEN_THONG_SECRET), description="that consumer's secret (its hash is in the config)"
    )
    lien_thong_retries: int = Field(3, ge=0, le=10, description="extra attempts of a failing chain step")
    lien_thong_backoff_s: float = Field(
        0.5, gt=0, le=60, description="wait before a step's first retry; doubled for each further one"
    )


class QuotaSettings(_Strict):
    """Where the per-consumer quota count lives (docs: README.md, "Quotas")."""

    backend: Literal["local", "redis"] = Field(
        "local", description="local: this host's workers; redis: every worker and replica sharing one Redis"
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="used when backend is redis")
    redis_prefix: str = Field("ndxp:quota:", description="prefix of the per-consumer keys")
    redis_timeout_s: float = Field(0.25, gt=0, description="connect and reply time limit of one Redis call")
    fail_open: bool = Field(True, description="Redis unreachable: calls pass (true) or get 503 (false)")
    shared_file: Path | None = Field(
        None, description="SQLite file the local workers count in; `ndxp-sim gateway --workers N>1` sets it"
    )


class OpsClientSettings(_Strict):
    """How `ndxp-sim logs` reaches the operator API; the shipped fake operator by default."""

    url: str | None = Field(None, description="gateway base URL; http://{host}:{port} when unset")
    client_id: str = "ops.ndxp-sim"
    client_secret: SecretStr = SecretStr("demo-secret-ops")


class Settings(BaseSettings):
    """The simulator's settings; build once with `Settings()` and pass it down."""

    model_config = SettingsConfigDict(
        env_prefix="NDXP_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    config_file: Path | None = Field(None, description="YAML file with consumers and per-service settings")
    secrets_file: Path | None = Field(
        None,
        description="YAML file with this install's secrets (`ndxp-sim up` generates one); over config_file",
    )
    host: str = "127.0.0.1"
    port: int = 8080
    instance: str = "ndxp-sim-1"
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "warning"
    simulator_mode: bool = Field(True, description="pass X-Mock-Scenario through to the mocks")
    max_body_bytes: int = Field(1_048_576, gt=0, description="request bodies of service calls (413 over it)")
    max_header_bytes: int = Field(65_536, ge=1024, description="a request's header section (431 over it)")
    header_timeout_s: float = Field(10.0, gt=0, description="from a request's first byte to its last header")
    body_timeout_s: float = Field(30.0, gt=0, description="from a request's headers to its last body byte")
    max_connections: int = Field(1000, ge=1, description="open connections per gateway process")
    jwt_secret: SecretStr = SecretStr(FAKE_JWT_SECRET)
    token_ttl_s: int = Field(3600, gt=0)
    token_issuer: str = Field(
        "ndxp-sim", min_length=1, description="iss and aud of tokens; the same on every replica"
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^/?#@]+(/[^?#]*)?$",
        description="the gateway's address as browsers and portals know it (http(s)://host[:port][/path]); "
        "the VNeID sign-in's issuer is built on it. Unset: the address each request came to (Host)",
    )
    tiers: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_TIERS),
        description="requests per minute per consumer (WSO2 style); 0 = unlimited; merged over the defaults",
    )
    services: dict[str, ServiceSettings] = Field(default_factory=dict)
    consumers: list[ConsumerSettings] = Field(default_factory=list)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    mocks: MockSettings = Field(default_factory=MockSettings)
    ops_client: OpsClientSettings = Field(default_factory=OpsClientSettings)
    quota: QuotaSettings = Field(default_factory=QuotaSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            _YamlSource(settings_cls, init_settings, env_settings, "secrets_file", None),
            _YamlSource(settings_cls, init_settings, env_settings, "config_file", DEFAULT_CONFIG_FILE),
        )

    @field_validator("tiers")
    @classmethod
    def _tier_names_ignore_case(cls, value: dict[str, int]) -> dict[str, int]:
        # Environment variable names arrive lower-cased (NDXP_TIERS__GOLD=0 sets "gold"), and setting
        # one tier must not drop the others.
        return {name.lower(): limit for name, limit in {**DEFAULT_TIERS, **value}.items()}

    @field_validator("services")
    @classmethod
    def _known_services(cls, value: dict[str, ServiceSettings]) -> dict[str, ServiceSettings]:
        unknown = sorted(set(value) - set(services()))
        if unknown:
            raise ValueError(f"unknown service key(s): {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _no_fake_secrets_outside_the_simulator(self) -> Settings:
        if self.simulator_mode:
            return self
        fake = [
            name
            for name, value, shipped in (
                ("jwt_secret", self.jwt_secret, FAKE_JWT_SECRET),
                ("log.subject_key", self.log.subject_key, FAKE_SUBJECT_KEY),
                ("mocks.callback_key", self.mocks.callback_key, FAKE_CALLBACK_KEY),
                ("mocks.callback_relay_key", self.mocks.callback_relay_key, FAKE_RELAY_KEY),
            )
            if value.get_secret_value() == shipped
        ]
        if fake:
            raise ValueError(
                f"{', '.join(fake)}: the shipped fake value is refused when simulator_mode is off"
            )
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        ids = [c.id for c in self.consumers]
        if len(ids) != len(set(ids)):
            raise ValueError("consumers: duplicate consumer id")
        access_keys = [c.lgsp_access.access_key for c in self.consumers if c.lgsp_access is not None]
        if len(access_keys) != len(set(access_keys)):
            raise ValueError("consumers.lgsp_access: duplicate access_key")
        for consumer in self.consumers:
            if consumer.tier.lower() not in self.tiers:
                raise ValueError(f"consumers.{consumer.id}.tier: unknown tier {consumer.tier!r}")
            for key in consumer.allowed:
                if key != "*" and key not in services():
                    raise ValueError(f"consumers.{consumer.id}.allowed: unknown service {key!r}")
            for pattern in consumer.callback_urls:
                host, _, port = pattern.partition("://")[2].partition("/")[0].rpartition(":")
                if port.isdigit() and refusal(host, int(port), self):
                    raise ValueError(
                        f"consumers.{consumer.id}.callback_urls: {pattern!r} names one of the "
                        "simulator's own ports (gateway, mocks, broker or store)"
                    )
        return self

    @property
    def kafka_bootstrap(self) -> str:
        """Where Kafka is: the configured servers, else the embedded broker's address."""
        return self.kafka.bootstrap_servers or f"127.0.0.1:{self.kafka.embedded_port}"

    @cached_property
    def mock_base_url(self) -> str:
        return f"http://{self.mocks.host}:{self.mocks.port}"

    def service(self, key: str) -> ServiceSettings:
        return self.services.get(key) or ServiceSettings()

    def backend_url(self, key: str) -> str:
        """The configured backend of a service, or its mock."""
        return (self.service(key).base_url or f"{self.mock_base_url}/{key}").rstrip("/")

    def consumer(self, consumer_id: str) -> ConsumerSettings | None:
        return self._consumers_by_id.get(consumer_id)

    @cached_property
    def _consumers_by_id(self) -> dict[str, ConsumerSettings]:
        return {c.id: c for c in self.consumers}

    def consumer_by_access_key(self, access_key: str) -> ConsumerSettings | None:
        return self._consumers_by_access_key.get(access_key)

    @cached_property
    def _consumers_by_access_key(self) -> dict[str, ConsumerSettings]:
        return {c.lgsp_access.access_key: c for c in self.consumers if c.lgsp_access is not None}


class _YamlSource(PydanticBaseSettingsSource):
    """Reads the YAML file named by the `key` setting (init args or environment), else `default`."""

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        key: str,
        default: Path | None,
    ) -> None:
        super().__init__(settings_cls)
        self._key = key
        named = init_settings().get(key) or env_settings().get(key)
        self._path = Path(named) if named else default

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns the whole mapping

    def __call__(self) -> dict[str, Any]:
        path, key = self._path, self._key
        if path is None:
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ValueError(f"{key}: {path} does not exist") from None
        except yaml.YAMLError as exc:
            raise ValueError(f"{key}: {path} is not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{key}: {path} must hold a mapping at the top level")
        return data
