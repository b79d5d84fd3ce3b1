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
    worker_threads: int = 12  # request threads; few, since writes are serialised anyway (see docs/server.md)
    event_frame_ms: int = 50  # under load, at most one event frame per subscriber per this interval
    max_pending_writes: int = 256  # writing requests in flight before new ones get 503 (0: no bound; api/admission.py)
    wal_truncate_mb: int = 24  # SQLite: a checkpoint resets the WAL once it is this big (db.start_checkpointer)

    # ratings / follow-up (other areas read these too)
    enquiry_phone: str = "0000-12345678"
    complaint_phone: str = "12345"
    public_base_url: str = "http://127.0.0.1:8080"
    # accountability (首问负责 / 好差评 / 投诉): limits in working days unless named _minutes
    inquiry_referral_workdays: int = 1  # default due of a 转办 when the referrer gives none
    rating_callback_workdays: int = 1  # 差评: call the citizen back within
    rating_rectify_workdays: int = 15  # 差评: rectify within (counted from the rating)
    rating_rerate_workdays: int = 5  # 差评: the one re-rating is open this long after rectification
    rating_evaluator_minutes: int = 30  # an evaluator may rate its window's last service this long after
    complaint_reply_workdays: int = 5  # 投诉: reply to the citizen within (from registration)
    star_period_days: int = 90  # 挂牌 star: ratings of the last N days (up to yesterday)
    star_min_ratings: int = 5  # fewer ratings: no star (one rating must not be readable off it)
    accountability_sweep_minutes: float = 5.0  # flag overdue inquiries/差评/complaints this often; 0: off

    cards_config: Path | None = Field(default=None, description="红黄牌 rules file (TOML)")
    holidays_config: Path | None = Field(default=None, description="extra holiday years (TOML); "
                                         "default resources/holidays.toml")

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
