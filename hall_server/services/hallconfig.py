"""Hall-wide configuration kept in the database (``hall_settings``): the hall profile,
the 红黄牌 thresholds and the holiday years the calendar library does not know yet.

The TOML files (``HALL_CARDS_CONFIG``, ``HALL_HOLIDAYS_CONFIG`` / resources) are the
initial value: read while the database holds nothing, and never again once an admin
saved a value. Every save is a ``config.changed`` event with the value before and after.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import asdict
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contract as c
from ..domain import cards as dc
from ..domain import hours as dh
from ..domain.errors import BadInput, Conflict
from ..domain.workdays import WorkCalendar, YearConfig, package_data, parse_config
from ..models import Setting
from ..settings import Settings
from .actors import Actor
from . import confcache
from .configlog import changed

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
PROFILE_KEY, CARDS_KEY, HOLIDAYS_KEY = "hall_profile", "cards_rules", "holidays"


def _get(session: Session, key: str) -> Any:
    """A saved value (kept until the next configuration event, ``confcache``). Callers
    read it and build new objects from it; nobody changes it in place."""
    return confcache.cached(session, f"setting:{key}",
                            lambda: session.scalar(select(Setting.value).where(Setting.key == key)))


def _put(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


# --- hall profile -------------------------------------------------------------------------

def default_profile(settings: Settings | None) -> c.HallProfile:
    s = settings or Settings()
    return c.HallProfile(name=s.hall_name, address="", hours=[], supervision_phone=s.complaint_phone,
                         enquiry_phone=s.enquiry_phone, public_base_url=s.public_base_url)


def hall_profile(session: Session, *, settings: Settings | None = None) -> c.HallProfile:
    """The hall's profile: what an admin saved, else the values of the settings."""
    raw = _get(session, PROFILE_KEY)
    if raw is None:
        return default_profile(settings)
    return c.HallProfile.model_validate(raw)


def week_of(profile: c.HallProfile) -> list[list[dh.Span]]:
    return dh.parse_week([[(s.start, s.end) for s in day] for day in profile.hours])


def save_profile(session: Session, *, settings: Settings, body: c.HallProfile, actor: Actor,
                 now: datetime) -> c.HallProfile:
    week_of(body)  # refuses reversed or overlapping spans, and a week that is not 7 days
    url = body.public_base_url.strip().rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise BadInput("公网地址须以 http:// 或 https:// 开头。", code="bad_public_url")
    body = body.model_copy(update={"public_base_url": url, "name": body.name.strip()})
    before = hall_profile(session, settings=settings).model_dump(mode="json")
    after = body.model_dump(mode="json")
    _put(session, PROFILE_KEY, after)
    from . import public_url  # printed QR codes follow the saved address from the next print on
    public_url.forget(session)
    changed(session, kind="hall", key="本大厅", before=before, after=after, actor=actor, now=now)
    return body


def opening_check(session: Session, *, settings: Settings, now: datetime) -> str | None:
    """None when the hall is open now, else the Chinese sentence the kiosk shows."""
    raw = _get(session, PROFILE_KEY)
    if raw is None or not any(raw.get("hours") or []):
        return None
    week = confcache.cached(session, "week", lambda: week_of(c.HallProfile.model_validate(raw)))
    local = now.astimezone(settings.tz)
    cal = work_calendar(session, settings)
    if dh.is_open(week, local, cal.is_working_day):
        return None
    return dh.closed_message(week, local, cal.is_working_day)


def opening_spans(session: Session, *, settings: Settings, day: date) -> list[tuple[time, time]] | None:
    """The hall's spans on ``day``, or None when the hall has not set its hours."""
    profile = hall_profile(session, settings=settings)
    if not dh.is_set(profile.hours):
        return None
    return dh.spans_on(week_of(profile), day, work_calendar(session, settings).is_working_day)


# --- 红黄牌 thresholds ------------------------------------------------------------------------

def _file_rules(settings: Settings) -> dict[str, Any]:
    raw = tomllib.loads((RESOURCES / "cards.toml").read_text(encoding="utf-8"))
    if settings.cards_config is not None and Path(settings.cards_config).exists():
        raw = dc.merge(raw, tomllib.loads(Path(settings.cards_config).read_text(encoding="utf-8")))
    return raw


def _as_doc(rules: dc.CardRules) -> c.CardThresholds:
    d = asdict(rules)
    d["off_duty"]["opening"] = [{"start": f"{a:%H:%M}", "end": f"{b:%H:%M}"} for a, b in rules.off_duty.opening]
    return c.CardThresholds.model_validate(d)


def card_thresholds(session: Session, *, settings: Settings) -> c.CardThresholds:
    raw = _get(session, CARDS_KEY)
    if raw is None:
        return _as_doc(dc.rules_from_dict(_file_rules(settings)))
    return c.CardThresholds.model_validate(raw)


def card_rules(session: Session, *, settings: Settings) -> dc.CardRules:
    """The rules the cards are judged by: the database's, else the TOML files'."""
    raw = _get(session, CARDS_KEY)
    if raw is None:
        return dc.rules_from_dict(_file_rules(settings))
    return _rules_of(json.dumps(raw, sort_keys=True))


@lru_cache(maxsize=8)
def _rules_of(text: str) -> dc.CardRules:
    raw = json.loads(text)
    raw["off_duty"]["opening"] = [(s["start"], s["end"]) for s in raw["off_duty"]["opening"]]
    return dc.rules_from_dict(raw)


def save_cards(session: Session, *, settings: Settings, body: c.CardThresholds, actor: Actor,
               now: datetime) -> c.CardThresholds:
    after = body.model_dump(mode="json")
    _rules_of(json.dumps(after, sort_keys=True))  # 黄牌 above 红牌 and bad times refused in Chinese
    before = card_thresholds(session, settings=settings).model_dump(mode="json")
    _put(session, CARDS_KEY, after)
    changed(session, kind="cards", key=body.city, before=before, after=after, actor=actor, now=now)
    return body


# --- holidays ---------------------------------------------------------------------------------

def _file_years(settings: Settings) -> dict[int, YearConfig]:
    path = Path(settings.holidays_config or (RESOURCES / "holidays.toml"))
    return parse_config(path.read_text(encoding="utf-8")) if path.exists() else {}


def _year_doc(year: int, y: YearConfig) -> c.HolidayYear:
    return c.HolidayYear(year=year, provisional=y.provisional, holidays=sorted(y.holidays),
                         workdays=sorted(y.workdays))


def holiday_years(session: Session, *, settings: Settings) -> list[c.HolidayYear]:
    raw = _get(session, HOLIDAYS_KEY)
    if raw is None:
        return [_year_doc(y, cfg) for y, cfg in sorted(_file_years(settings).items())]
    return [c.HolidayYear.model_validate(x) for x in raw]


def holidays_out(session: Session, *, settings: Settings) -> c.HolidaysOut:
    hol, _ = package_data()
    return c.HolidaysOut(years=holiday_years(session, settings=settings),
                         package_years=sorted({d.year for d in hol}))


def save_year(session: Session, *, settings: Settings, body: c.HolidayYear, actor: Actor,
              now: datetime) -> c.HolidayYear:
    hol, work = set(body.holidays), set(body.workdays)
    wrong = sorted(d for d in hol | work if d.year != body.year)
    if wrong:
        raise BadInput(f"日期 {wrong[0].isoformat()} 不属于 {body.year} 年。", code="bad_holidays")
    both = sorted(hol & work)
    if both:
        raise BadInput(f"{both[0].isoformat()} 不能既是假日又是调休上班日。", code="bad_holidays")
    weekday_work = sorted(d for d in work if d.weekday() < 5)
    if weekday_work:
        raise BadInput(f"{weekday_work[0].isoformat()} 是工作日，调休上班日应为星期六或星期日。", code="bad_holidays")
    body = c.HolidayYear(year=body.year, provisional=body.provisional, holidays=sorted(hol), workdays=sorted(work))
    years = {y.year: y for y in holiday_years(session, settings=settings)}
    before = years[body.year].model_dump(mode="json") if body.year in years else None
    years[body.year] = body
    _put(session, HOLIDAYS_KEY, [years[y].model_dump(mode="json") for y in sorted(years)])
    changed(session, kind="holidays", key=str(body.year), before=before, after=body.model_dump(mode="json"),
            actor=actor, now=now)
    return body


def work_calendar(session: Session, settings: Settings) -> WorkCalendar:
    """China's official calendar (the package) plus the hall's own years (database, else file)."""
    return confcache.cached(session, "calendar", lambda: _work_calendar(session, settings))


def _work_calendar(session: Session, settings: Settings) -> WorkCalendar:
    raw = _get(session, HOLIDAYS_KEY)
    if raw is None:
        return _calendar_of(json.dumps([y.model_dump(mode="json") for y in holiday_years(session, settings=settings)]))
    return _calendar_of(json.dumps(raw, sort_keys=True))


@lru_cache(maxsize=8)
def _calendar_of(text: str) -> WorkCalendar:
    cfg = {int(y["year"]): YearConfig(frozenset(date.fromisoformat(d) for d in y["holidays"]),
                                      frozenset(date.fromisoformat(d) for d in y["workdays"]),
                                      bool(y["provisional"])) for y in json.loads(text)}
    return WorkCalendar.from_sources(package=package_data(), config=cfg)


def kiosk_may_issue(session: Session, *, settings: Settings, prefix: str, now: datetime) -> None:
    """Refuse a kiosk's number outside the hall's hours, or the category's own hours."""
    msg = opening_check(session, settings=settings, now=now)
    if msg is None:
        from ..models import Category
        spans = confcache.cached(session, f"category-hours:{prefix}",
                                 lambda: session.scalar(select(Category.hours).where(Category.prefix == prefix)))
        if spans:
            local = now.astimezone(settings.tz)
            day = dh.parse_day([(a, b) for a, b in spans])
            if not any(s <= local.time() < e for s, e in day):
                later = [s for s, _ in day if s > local.time()]
                msg = (f"该业务今天 {later[0]:%H:%M} 开始取号，请稍候。" if later
                       else f"该业务今天已停止取号（办理时间 {dh.minutes_text(day)}），请改日再来。")
    if msg is not None:
        raise HallClosed(msg)


class HallClosed(Conflict):
    code = "hall_closed"
