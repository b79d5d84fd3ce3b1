"""Demo history for accountability: past ratings that give the clerks' badges a star,
and one past 差评 whose follow-up was completed. Deterministic (no randomness), so the
demo and the tests see the same hall."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..contract import events as kinds
from ..domain import ratings as dom
from ..models import Staff
from ..models.accountability import Rating, RatingFollowup
from ..services import events
from ..services import ratings as rsvc
from ..services.actors import SYSTEM
from ..settings import Settings

if TYPE_CHECKING:
    from . import SeedReport

# levels of the past ratings, cycled per clerk: mostly good, a few middling, one 差评 in all
PATTERN = (dom.RatingLevel.VERY_SATISFIED, dom.RatingLevel.VERY_SATISFIED, dom.RatingLevel.SATISFIED,
           dom.RatingLevel.VERY_SATISFIED, dom.RatingLevel.BASIC, dom.RatingLevel.VERY_SATISFIED)
PER_CLERK = 8


def seed(session: Session, *, settings: Settings, now: datetime, report: "SeedReport") -> None:
    if session.scalar(select(Rating.id).limit(1)) is not None:
        return
    clerks = list(session.scalars(select(Staff).where(Staff.roles.like("%clerk%")).order_by(Staff.staff_no)))
    n = 0
    for i, staff in enumerate(clerks):
        for k in range(PER_CLERK):
            level = PATTERN[(i + k) % len(PATTERN)]
            at = now - timedelta(days=2 + k * 3, hours=i % 5)
            session.add(Rating(service_key=f"demo:{staff.staff_no}:{k}", staff_id=staff.id, window_no=i + 1,
                               level=level, score=dom.SCORES[level], bad=False, reasons=[], channel="evaluator",
                               device_name=f"evaluator-{i + 1}", rated_at=at))
            n += 1
    if clerks:  # one 差评 that went through the whole follow-up
        at = now - timedelta(days=20)
        bad = Rating(service_key="demo:bad:1", staff_id=clerks[0].id, window_no=1,
                     level=dom.RatingLevel.DISSATISFIED, score=dom.SCORES[dom.RatingLevel.DISSATISFIED], bad=True,
                     reasons=["long_wait"], channel="qr", rated_at=at)
        session.add(bad)
        session.flush()
        session.add(RatingFollowup(
            rating_id=bad.id, state=dom.FollowupState.CLOSED, opened_at=at, callback_due_at=at + timedelta(days=1),
            called_back_at=at + timedelta(hours=3), callback_note="已电话回访，群众反映等候时间过长。",
            rectify_due_at=at + timedelta(days=21), rectified_at=at + timedelta(days=2),
            rectify_note="高峰时段增开 3 号窗口。", rerate_due_at=at + timedelta(days=9),
            rerated_at=at + timedelta(days=3), rerate_level=dom.RatingLevel.SATISFIED,
            closed_at=at + timedelta(days=3)))
        n += 1
    session.flush()
    # the log announces every business row (verify-audit --deep replays it): imported history
    # too; ids only, so the event tells a clerk nothing about any rating
    ids = list(session.scalars(select(Rating.id).order_by(Rating.id)))
    events.append(session, kinds.HISTORY_IMPORTED.type, actor=SYSTEM, at=now, data={"table": "ratings", "ids": ids})
    stars = rsvc.update_stars(session, settings=settings, now=now, actor=SYSTEM)
    report.lines.append(f"好差评演示数据：{n} 条历史评价，{stars} 名窗口人员有挂牌星级。")
