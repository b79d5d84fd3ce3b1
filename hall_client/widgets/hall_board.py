"""The hall board (综合屏) as the public sees it on a 1080p TV: no server, no timers of its own.

Three bands, top to bottom:
- the **banner**: the newest call, its number drawn ``BANNER_PX`` high so it reads from
  10 m away, with 「请到 N 号窗口办理」 and the last few calls beside it; when the hall is quiet
  it rolls the 八公开 disclosure (matters, limits, fees, 监督电话) and the staff on duty with
  their photos;
- the **grid**: one cell per window (window number, current number, state), sized by
  ``plan`` so 12, 40 or 80 windows fill the band without overlap or clipping; the newest
  call's cell is inverted, framed and says 「▶ 最新呼叫」 (never colour alone);
- a footer with the waiting count per queue.

Readability: about 1 cm of character height per metre of viewing distance. A 55-inch
16:9 panel is 68.5 cm tall for 1080 rows, 0.634 mm a pixel, so 10 m needs 100 mm = 158 px
of digit height; digits are about 0.72 of the font's pixel size in the hall's CJK fonts,
so the banner's number is set at 220 px (≈ 159 px digits ≈ 10.1 cm: read at 10 m). The
grid's numbers are as large as the window count allows; ``BoardPlan.distance_m`` says
from how far they read (docs/client.md has the table).
"""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from hall_server.contract import Badge

from ..state import Call, CategoryView, HallState, WindowView
from .common import Clock, restyle

log = logging.getLogger(__name__)

PANEL_MM_PER_PX = 685.0 / 1080  # a 55" 16:9 1080p TV
DIGIT_HEIGHT = 0.72  # digit height / font pixel size (WenQuanYi, Noto Sans CJK, YaHei)
HEADER_H, BANNER_H, FOOTER_H, MARGIN, GAP = 76, 300, 56, 12, 8
BANNER_PX = 220  # → 158 px digits ≈ 10 cm: 10 m
STATE_TEXT = {"offline": "暂停服务", "paused": "暂停服务", "idle": "等候叫号", "calling": "正在呼叫",
              "serving": "正在办理"}
FRESH_TEXT = "▶ 最新呼叫"
RECENT = 4
STAFF_PER_PAGE = 6


def reading_distance_m(digit_px: float) -> float:
    """How far digits of this pixel height read on the 55" panel (1 cm per metre)."""
    return digit_px * PANEL_MM_PER_PX / 10.0


@dataclass(frozen=True)
class BoardPlan:
    cols: int
    rows: int
    cell_w: int
    cell_h: int
    call_px: int  # font pixel size of the numbers in the cells
    label_px: int  # window number and state
    banner_px: int = BANNER_PX
    scale: float = 1.0  # the screen against 1920×1080: bands and fixed fonts shrink with it

    def px(self, value: float) -> int:
        return max(1, int(value * self.scale))

    @property
    def digit_px(self) -> int:
        return int(self.call_px * DIGIT_HEIGHT)

    @property
    def distance_m(self) -> float:
        return reading_distance_m(self.digit_px)


def scale_of(width: int, height: int) -> float:
    return max(0.2, min(1.0, width / 1920, height / 1080))


def grid_height(height: int, scale: float = 1.0) -> int:
    return max(1, height - int((HEADER_H + BANNER_H + FOOTER_H) * scale) - 4 * MARGIN)


def plan(n: int, width: int = 1920, height: int = 1080) -> BoardPlan:
    """Columns and font sizes that make the window numbers as large as ``n`` cells allow.

    A cell stacks 「12 号窗口」, the number and the state; its widest texts are about 5 em of
    the label font and 2.4 em of the number font (4 bold characters, ~0.6 em each)."""
    n = max(1, n)
    k = scale_of(width, height)
    gw, gh = width - 2 * MARGIN, grid_height(height, k)
    best: BoardPlan | None = None
    for cols in range(1, min(n, 16) + 1):
        rows = math.ceil(n / cols)
        cw, ch = (gw - (cols - 1) * GAP) // cols, (gh - (rows - 1) * GAP) // rows
        for call_px in range(200, 7, -2):
            label_px = max(min(14, call_px // 2), min(40, int(call_px * 0.34)))
            fits_h = call_px * 1.25 + 2 * label_px * 1.3 + 10 <= ch
            fits_w = max(2.5 * call_px, 5.6 * label_px) + 16 <= cw
            if fits_h and fits_w:
                if best is None or call_px > best.call_px:
                    best = BoardPlan(cols, rows, cw, ch, call_px, label_px, int(BANNER_PX * k), k)
                break
    if best is None:  # a window far smaller than any hall TV: tiny, but never an error
        cols = math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        best = BoardPlan(cols, rows, max(1, gw // cols - GAP), max(1, gh // rows - GAP), 8, 7, int(BANNER_PX * k), k)
    return best


def placeholder_photo(size: QSize) -> QPixmap:
    """A neutral silhouette until the staff member's photo is uploaded (admin area)."""
    pm = QPixmap(size)
    pm.fill(QColor("#3b4a66"))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#9fb0cc"))
    p.setPen(Qt.PenStyle.NoPen)
    w, h = size.width(), size.height()
    p.drawEllipse(int(w * 0.3), int(h * 0.14), int(w * 0.4), int(w * 0.4))
    p.drawRoundedRect(int(w * 0.14), int(h * 0.58), int(w * 0.72), int(h * 0.5), w * 0.3, w * 0.3)
    p.end()
    return pm


class WindowCell(QFrame):
    """One window: 「12 号窗口」, its current number, its state."""

    def __init__(self, window_no: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_no = window_no
        self.setObjectName("boardCell")
        self.setProperty("fresh", "false")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(0)
        self.no = QLabel(f"{window_no} 号窗口")
        self.no.setObjectName("boardCellNo")
        self.number = QLabel("—")
        self.number.setObjectName("boardCellNumber")
        self.state = QLabel("")
        self.state.setObjectName("boardCellState")
        for w in (self.no, self.number, self.state):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)

    def show_window(self, w: WindowView, *, fresh: bool) -> None:
        self.number.setText(w.current or "—")
        self.state.setText(FRESH_TEXT if fresh and w.current else STATE_TEXT[w.state])
        want = "true" if fresh and w.current else "false"
        if self.property("fresh") != want:
            self.setProperty("fresh", want)
            for x in (self, self.no, self.number, self.state):
                restyle(x)

    def text(self) -> str:
        return f"{self.no.text()} {self.number.text()} {self.state.text()}"


class Banner(QStackedWidget):
    """The newest call, or (when quiet) the rolling disclosure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardBanner")
        call = QWidget()
        row = QHBoxLayout(call)
        self.number = QLabel("")
        self.number.setObjectName("boardBigNumber")
        self.where = QLabel("")
        self.where.setObjectName("boardBigWhere")
        self.where.setWordWrap(True)
        self.recent = QLabel("")
        self.recent.setObjectName("boardRecent")
        self.recent.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.recent.setFixedWidth(400)
        row.addWidget(self.number)
        row.addWidget(self.where, 1)
        row.addWidget(self.recent)
        self.addWidget(call)
        self.call_page = call
        roll = QWidget()
        rl = QVBoxLayout(roll)
        self.roll_head = QLabel("")
        self.roll_head.setObjectName("boardRollHead")
        self.roll_text = QLabel("")
        self.roll_text.setObjectName("boardRollText")
        self.roll_text.setWordWrap(True)
        rl.addWidget(self.roll_head)
        rl.addWidget(self.roll_text, 1)
        self.addWidget(roll)
        self.roll_page = roll
        staff = QWidget()
        sl = QVBoxLayout(staff)
        head = QLabel("今日在岗工作人员")
        head.setObjectName("boardRollHead")
        sl.addWidget(head)
        self.staff_row = QHBoxLayout()
        sl.addLayout(self.staff_row, 1)
        self.addWidget(staff)
        self.staff_page = staff
        self.staff_cards: list[QWidget] = []


class BoardView(QWidget):
    """Layout only: ``show_state``, ``show_call``, ``show_roll``/``show_staff`` are its slots."""

    def __init__(self, title: str = "政务服务中心", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.cells: dict[int, WindowCell] = {}
        self.fresh: set[int] = set()
        self.newest: int | None = None
        self.photos: dict[str, QPixmap] = {}
        self.plan = plan(12)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)  # the header's height is the plan's, all of it for the text
        self.title = QLabel(title)
        self.title.setObjectName("boardTitle")
        self.clock = Clock()
        self.clock.setObjectName("boardClock")
        head.addWidget(self.title, 1)
        head.addWidget(self.clock)
        self.header = QWidget(self)
        self.header.setLayout(head)
        self.banner = Banner(self)
        self.grid = QWidget(self)
        self.grid.setObjectName("boardGrid")
        self.waiting = QLabel("", self)
        self.waiting.setObjectName("boardWaiting")
        self._style()

    # --- layout ----------------------------------------------------------------------------

    def _style(self) -> None:
        p = self.plan
        self.setStyleSheet(f"""
            #board {{ background-color: #06122b; }}
            QLabel {{ color: #f5f5f5; background-color: transparent; }}
            #boardTitle {{ font-size: {p.px(44)}px; font-weight: bold; color: #ffd54f; }}
            #boardClock {{ font-size: {p.px(34)}px; }}
            #boardBigNumber {{ font-size: {p.banner_px}px; font-weight: bold; color: #ffd54f; }}
            #boardBigWhere {{ font-size: {p.px(96)}px; font-weight: bold; }}
            #boardRecent {{ font-size: {p.px(38)}px; color: #cfe0ff; }}
            #boardRollHead {{ font-size: {p.px(60)}px; font-weight: bold; color: #ffd54f; }}
            #boardRollText {{ font-size: {p.px(42)}px; }}
            #boardStaffName {{ font-size: {p.px(36)}px; }}
            #boardWaiting {{ font-size: {p.px(34)}px; color: #cfe0ff; }}
            #boardCell {{ background-color: #10234d; border: 2px solid #2c4a85; border-radius: 6px; }}
            #boardCell[fresh="true"] {{ background-color: #ffd54f; border: 5px solid #ffffff; }}
            #boardCell QLabel[fresh="true"], #boardCell[fresh="true"] QLabel {{ color: #06122b; }}
            #boardCellNo {{ font-size: {p.label_px}px; }}
            #boardCellNumber {{ font-size: {p.call_px}px; font-weight: bold; }}
            #boardCellState {{ font-size: {p.label_px}px; }}
        """)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self._place()

    def _place(self) -> None:
        w, h = self.width(), self.height()
        new = plan(len(self.cells) or 1, w, h)
        if new != self.plan:
            self.plan = new
            self._style()
        p = self.plan
        self.banner.recent.setFixedWidth(p.px(400))
        y = MARGIN
        self.header.setGeometry(MARGIN, y, w - 2 * MARGIN, p.px(HEADER_H))
        y += p.px(HEADER_H) + MARGIN
        self.banner.setGeometry(MARGIN, y, w - 2 * MARGIN, p.px(BANNER_H))
        y += p.px(BANNER_H) + MARGIN
        self.grid.setGeometry(MARGIN, y, w - 2 * MARGIN, grid_height(h, p.scale))
        self.waiting.setGeometry(MARGIN, h - MARGIN - p.px(FOOTER_H), w - 2 * MARGIN, p.px(FOOTER_H))
        for i, no in enumerate(sorted(self.cells)):
            r, c = divmod(i, p.cols)
            self.cells[no].setGeometry(c * (p.cell_w + GAP), r * (p.cell_h + GAP), p.cell_w, p.cell_h)

    # --- slots -----------------------------------------------------------------------------

    def show_state(self, state: HallState, *, title: str = "") -> None:
        self.title.setText(title or state.hall_name or "政务服务中心")
        self.clock.set_zone(state.timezone)
        added = False
        for w in state.windows.values():
            if w.window_no not in self.cells:
                cell = WindowCell(w.window_no, self.grid)
                cell.show()
                self.cells[w.window_no] = cell
                added = True
            if w.current is None:
                self.fresh.discard(w.window_no)
            self.cells[w.window_no].show_window(w, fresh=w.window_no == self.newest and w.window_no in self.fresh)
        if added:
            self._place()
        self.banner.recent.setText("\n".join(f"{c.number} → {c.window_no} 号窗口" + ("（重呼）" if c.recall else "")
                                             for c in state.recent_calls[:RECENT]))
        self.waiting.setText("等候人数　" + "　".join(f"{c.name}：{c.waiting} 人" for c in state.categories.values()))
        self._state = state

    def show_call(self, call: Call) -> None:
        """The newest call: large in the banner, its cell inverted and marked."""
        self.banner.number.setText(call.number)
        self.banner.where.setText(f"请到 {call.window_no} 号窗口办理" + ("（重呼）" if call.recall else ""))
        self.banner.setCurrentWidget(self.banner.call_page)
        self.newest = call.window_no
        self.fresh.add(call.window_no)
        self._refresh_cells()

    def fade(self, window_no: int) -> None:
        """The highlight of a call ends (the display's timer says when)."""
        self.fresh.discard(window_no)
        self._refresh_cells()

    def _refresh_cells(self) -> None:
        state = getattr(self, "_state", None)
        if state is None:
            return
        for w in state.windows.values():
            cell = self.cells.get(w.window_no)
            if cell is not None:
                cell.show_window(w, fresh=w.window_no == self.newest and w.window_no in self.fresh)

    def show_roll(self, heading: str, text: str) -> None:
        self.banner.setCurrentWidget(self.banner.roll_page)
        b = self.banner
        b.roll_head.setText(self._fit(b.roll_head, heading, self.plan.px(60), self.plan.px(40),
                                      b.width() - 24, self.plan.px(90), bold=True))
        room = b.height() - self.plan.px(90) - 30
        b.roll_text.setText(self._fit(b.roll_text, text, self.plan.px(42), self.plan.px(30), b.width() - 24, room))

    @staticmethod
    def _fit(label: QLabel, text: str, max_px: int, min_px: int, width: int, height: int, *,
             bold: bool = False) -> str:
        """The largest font from ``max_px`` down to ``min_px`` that shows ``text`` whole in the
        room; below that the text is shortened with 「…」 (a board never shows half a line)."""
        from PySide6.QtGui import QFont, QFontMetrics
        flags = int(Qt.TextFlag.TextWordWrap)
        font = QFont(label.font())
        font.setBold(bold)

        def fits(t: str, px: int) -> bool:
            font.setPixelSize(px)
            return QFontMetrics(font).boundingRect(QRect(0, 0, max(1, width), 100000), flags, t).height() <= height
        px = max_px
        while px > min_px and not fits(text, px):
            px -= 2
        while len(text) > 1 and not fits(text, px):
            text = text[:-2] + "…"
        label.setStyleSheet(f"font-size: {px}px;")
        return text

    def show_staff(self, staff: Sequence[tuple[int, Badge]]) -> None:
        """Staff on duty: photo (or the placeholder), name, window, stars to one decimal."""
        row = self.banner.staff_row
        while row.count():
            item = row.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self.banner.staff_cards = []
        for window_no, b in staff[:STAFF_PER_PAGE]:
            card = QWidget()
            cl = QHBoxLayout(card)
            photo = QLabel()
            photo.setObjectName("boardStaffPhoto")
            pm = self.photos.get(b.staff_no) or placeholder_photo(QSize(150, 200))
            photo.setPixmap(pm.scaled(QSize(150, 200), Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))
            stars = f"\n★ {b.star_rating:.1f}" if b.star_rating is not None else ""
            name = QLabel(f"{b.name}\n{window_no} 号窗口{stars}")
            name.setObjectName("boardStaffName")
            cl.addWidget(photo)
            cl.addWidget(name, 1)
            row.addWidget(card)
            self.banner.staff_cards.append(card)
        row.addStretch(1)
        self.banner.setCurrentWidget(self.banner.staff_page)

    def set_photo(self, staff_no: str, data: bytes) -> bool:
        pm = QPixmap()
        if not pm.loadFromData(data):
            return False
        self.photos[staff_no] = pm
        return True


def demo_state(n: int, *, now: datetime | None = None) -> tuple[HallState, Call]:
    """A made-up busy hall of ``n`` windows (the demo's 40- and 80-window screenshots, tests)."""
    now = now or datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    prefixes = "ABCD"
    windows: dict[int, WindowView] = {}
    for i in range(1, n + 1):
        p = prefixes[i % 4]
        staffed = i % 9 != 0
        busy = staffed and i % 5 != 0
        windows[i] = WindowView(
            window_no=i, name=f"{i} 号窗口", categories=(p,),
            badge=Badge(staff_no=f"{1000 + i}", name="王建国", star_rating=4.8) if staffed else None,
            paused=False, current=f"{p}{(i * 7) % 300 + 1:03d}" if busy else None,
            current_state="serving" if busy and i % 3 else ("called" if busy else None))
    cats: Mapping[str, CategoryView] = MappingProxyType(
        {p: CategoryView(p, name, 3 * k + 2) for k, (p, name) in
         enumerate(zip(prefixes, ("工程建设审批", "不动产登记", "社保医保", "综合受理")))})
    newest = max(i for i, w in windows.items() if w.current)
    call = Call(windows[newest].current or "A001", newest, now)
    recent = tuple(Call(w.current or "", w.window_no, now) for w in list(windows.values())[::-1] if w.current)[:RECENT]
    state = HallState(hall_name="示范市政务服务中心", categories=cats, windows=MappingProxyType(windows),
                      recent_calls=recent)
    return state, call


def cell_rects(view: BoardView) -> list[tuple[int, QRect]]:
    return [(no, c.geometry()) for no, c in sorted(view.cells.items())]
