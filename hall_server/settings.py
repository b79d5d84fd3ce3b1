"""One settings object for the server, read from the environment (prefix ``HALL_``).

Built once in ``__main__``/``app.create_app`` and passed down; nothing else reads the
environment, so tests build their own ``Settings`` with a temp database and fixed clock.
"""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HALL_", env_file=None, extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""  # empty -> sqlite file in data_dir
    hall_name: str = "示范市政务服务中心"
    timezone: str = "Asia/Shanghai"

    # auth
    token_ttl_hours: float = 12.0
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456  # OWASP minimum for argon2id
    argon2_parallelism: int = 1

    # queue
    requeue_window_minutes: int = 30  # a skipped ticket may rejoin once within this time
    default_service_minutes: float = 8.0  # estimate before there is history
    max_body_bytes: int = 1_000_000

    # ratings / follow-up (other areas read these too)
    enquiry_phone: str = "0000-12345678"
    complaint_phone: str = "12345"
    public_base_url: str = "http://127.0.0.1:8080"

    cards_config: Path | None = Field(default=None, description="红黄牌 rules file (TOML)")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hall.sqlite3').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")
