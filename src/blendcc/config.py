"""One typed Settings object (environment prefix BLENDCC_), built once and passed down."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLENDCC_", env_file=None, extra="ignore")

    database_url: str = Field(default="sqlite:///./blendcc.db",
                              description="SQLAlchemy URL: sqlite:///file.db or postgresql+psycopg://...")
    redis_url: str | None = Field(default=None, description="reserved for the scale-out bus")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str | None = Field(default=None, description="token signing key; generated and stored if unset")
    token_ttl_s: int = Field(default=12 * 3600, gt=0)
    admin_password: str | None = Field(default=None, description="password of the first 'admin' user")
    tick_interval_s: float = Field(default=0.1, gt=0, le=5)
    stats_interval_s: float = Field(default=1.0, gt=0, le=60)
    timezone: str = Field(default="UTC", description="centre time zone for 'today' in live statistics")
    log_level: str = "info"
