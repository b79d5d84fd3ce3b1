"""One settings object for the server, read from the environment (prefix ``HALL_``).

Built once in ``__main__``/``app.create_app`` and passed down; nothing else reads the
environment, so tests build their own ``Settings`` with a temp database and fixed clock.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
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
    group_commit: bool = True  # concurrent writes share one transaction and one commit (hall_server/writer.py)
    group_commit_max_batch: int = 64  # commands per batch at most
    # while others write, a small batch waits up to this long for company (writer.plan); 0: never
    group_commit_delay_ms: float = 2.0
    group_commit_gather: int = 8  # ... or until this many wait
    writer_on_loop: bool = True  # SQLite: batches run on the event loop, not a thread (hall_server/writer.py)
    # ... and then take at most this many: a batch holds every socket while it runs, so past
    # capacity a big one kept the loop from reading and refusing (writer.py, docs/server.md)
    group_commit_loop_batch: int = 16
    hot_lane: bool = True  # the six peak-hour requests skip the framework's layers (hall_server/api/lane.py)
    durable_commits: bool = True  # an acknowledged write survives power loss (SQLite synchronous=FULL)
    max_pending_writes: int = 256  # writing requests in flight before new ones get 503 (0: no bound; api/admission.py)
    wal_truncate_mb: int = 24  # SQLite: the writer resets the WAL once it holds a quarter of this (db.start_checkpointer)
    # SQLite: how often the checkpointer copies the WAL and looks at its size, which bounds the
    # WAL at about one interval of writes (why 250: db.start_checkpointer)
    wal_checkpoint_ms: int = 250

    # ratings / follow-up (other areas read these too)
    enquiry_phone: str = "0000-12345678"
    complaint_phone: str = "12345"
    # the address phones reach (hall Wi-Fi name or the hall's internet address); every printed
    # QR is built from it (services/public_url.py). Empty: `run` uses the address it listens on.
    public_base_url: str = ""
    # phone pages (api/phone.py): per-source token buckets, in-process (docs/phone.md)
    phone_rate_per_minute: float = 60.0  # pages, status polls, ratings from one address
    phone_rate_burst: int = 30
    case_guess_per_hour: float = 60.0  # case lookups (each costs one; a right code gives it back)
    case_guess_burst: int = 10
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

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url(cls, v: str) -> str:
        """Refused at start when it cannot be the start of a printed link."""
        v = v.strip().rstrip("/")
        if not v:
            return v
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("HALL_PUBLIC_BASE_URL 应为手机能访问的网址，如 http://192.168.1.10:8080"
                             f" 或 https://zwfw.example.gov.cn，不能是 {v!r}")
        return v

    # audit (docs/audit.md): the office's Ed25519 key file signs checkpoints of the event chain
    audit_key_file: Path | None = Field(default=None, description="private key file (PEM); "
                                        "default DATA_DIR/audit-key.pem; made by hall-server audit-key")
    audit_checkpoint_hours: float = 24.0  # sign a checkpoint when the last one is this old; 0: never by itself
    login_source_delay_max_s: float = 30.0  # sign-in throttle per account and source: delay cap
    login_account_delay_after: int = 10  # failures of one account from all sources before delays apply to all

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.data_dir / "audit-key.pem"

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
