"""Service settings, read from the environment (prefix ``QONYS_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QONYS_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = Field(
        default=f"sqlite:///{REPO_ROOT / 'var' / 'qonys.db'}",
        description="SQLAlchemy URL; a SQLite file by default, postgresql+psycopg://… in production.",
    )
    data_dir: Path = REPO_ROOT / "data"
    esco_dir: Path | None = Field(
        default=None, description="An ESCO CSV release to extend the taxonomy with (optional)."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool | None = Field(
        default=None, description="JSON logs; defaults to on in production, off otherwise."
    )
    page_size_max: int = 100
    max_body_bytes: int = Field(
        default=2 * 2**20,
        description="Largest request body (bytes); larger ones are a 413. Uploads have their own.",
    )
    scenario_root: Path = Field(
        default=REPO_ROOT / "data" / "examples",
        description="Scenario folders a run may name (`scenario_dir`) must lie inside this one.",
    )
    db_pool_size: int = 10
    token_lifetime_days: int = Field(
        default=90, ge=1, le=3650, description="Lifetime of a new API token unless one is given."
    )
    auth_failure_limit: int = Field(
        default=10,
        ge=1,
        description="Failed sign-ins or bearer tokens allowed per address (and per username or "
        "token prefix) within the window; the next attempt is a 429 until the window passes.",
    )
    auth_failure_window_seconds: int = Field(default=900, ge=1)
    token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="A valid bearer token is remembered this long per process (0: never); a "
        "token revoked by another process keeps working there for at most this long.",
    )
    behind_https: bool = Field(
        default=False,
        description="Served over HTTPS (directly or behind a proxy): send Strict-Transport-Security.",
    )
    cors_origins: str = Field(
        default="",
        description="Comma-separated origins allowed to call the API from a browser; "
        "empty (the default) means CORS stays closed.",
    )
    models_dir: Path = Field(
        default=REPO_ROOT / "var" / "models",
        description="Folder of fitted models (retention model versions as JSON files).",
    )
    retention_weights_file: Path | None = Field(
        default=None,
        description="The retention component's weight per programme version (TOML); default "
        "<data_dir>/retention_weights.toml. It counts only with an active retention model.",
    )
    run_jobs_in_process: bool = Field(
        default=True,
        description="Run a job worker thread inside the API process (allocation runs). "
        "In the test environment only when set explicitly, so test apps do not poll.",
    )
    gc_freeze: bool = Field(
        default=True,
        description="Exempt the long-lived data (taxonomy, match index) from the cyclic garbage "
        "collector after they are built (see api/core/heap.py). In the test environment only "
        "when set explicitly.",
    )

    job_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a running job stays leased to its worker without a heartbeat; "
        "a job whose lease ran out is queued again (or failed after its last attempt).",
    )
    job_heartbeat_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Seconds between heartbeats (default: a third of the lease).",
    )
    shutdown_grace_seconds: float = Field(
        default=20.0,
        ge=0,
        description="On SIGTERM, how long the current job may run on before it is handed back.",
    )

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, value: str) -> str:
        # Plain postgres:// URLs (as Heroku-style platforms hand them out) would pick psycopg2.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def retention_weights(self) -> Path:
        return self.retention_weights_file or self.data_dir / "retention_weights.toml"

    @property
    def jobs_in_process(self) -> bool:
        if self.environment == "test":
            return self.run_jobs_in_process and "run_jobs_in_process" in self.model_fields_set
        return self.run_jobs_in_process

    @property
    def freezes_heap(self) -> bool:
        if self.environment == "test":
            return self.gc_freeze and "gc_freeze" in self.model_fields_set
        return self.gc_freeze

    @property
    def json_logs(self) -> bool:
        return self.environment == "production" if self.log_json is None else self.log_json


@lru_cache
def get_settings() -> Settings:
    return Settings()
