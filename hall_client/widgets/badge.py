"""挂牌上岗: the clerk's badge shown at the window (photo, name, 工号, department, post,
service stars to one decimal, and the hall's 监督电话 so a citizen knows where to complain)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from hall_server.contract import Badge

PHOTO_W, PHOTO_H = 120, 156


def initial_photo(name: str, size: int = 120) -> QPixmap:
    """A stand-in portrait (the family name on red) when no photo was uploaded."""
    pm = QPixmap(size, int(size * 1.3))
    pm.fill(QColor("#c8102e"))
    p = QPainter(pm)
    p.setPen(QColor("white"))
    f = QFont()
    f.setPixelSize(size // 2)
    p.setFont(f)
    p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, name[:1] or "?")
    p.end()
    return pm


def stars_text(stars: float | None) -> str:
    """「服务星级：★★★★☆ 4.3」; empty when there are too few ratings for a star."""
    if stars is None:
        return ""
    full = int(stars + 0.05)
    return f"服务星级：{'★' * full}{'☆' * (5 - full)} {stars:.1f}"


class BadgeCard(QFrame):
    """``photo_is_placeholder`` tells tests (and the log) which portrait is shown."""

    photo_changed = Signal(bool)  # True: the uploaded photo, False: the placeholder

    def __init__(self, *, photo_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("badge")
        self.photo_dir = photo_dir
        self.photo_is_placeholder = True
        self._badge: Badge | None = None
        lay = QVBoxLayout(self)
        title = QLabel("挂牌上岗")
        title.setObjectName("badgeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo = QLabel()
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setFixedSize(PHOTO_W, PHOTO_H)
        self.name = QLabel()
        self.name.setObjectName("badgeName")
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.staff_no = QLabel()
        self.department = QLabel()
        self.post = QLabel()
        self.stars = QLabel()
        self.supervision = QLabel()
        self.supervision.setObjectName("badgeSupervision")
        self.supervision.setWordWrap(True)
        lay.addWidget(title)
        lay.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignHCenter)
        for w in (self.name, self.staff_no, self.department, self.post, self.stars, self.supervision):
            w.setWordWrap(True)
            lay.addWidget(w)
        lay.addStretch(1)

    def set_badge(self, badge: Badge | None) -> None:
        self._badge = badge
        if badge is None:
            for w in (self.name, self.staff_no, self.department, self.post, self.stars):
                w.clear()
            self.photo.clear()
            return
        self.name.setText(badge.name)
        self.staff_no.setText(f"工号：{badge.staff_no}")
        self.department.setText(f"部门：{badge.department or '—'}")
        self.post.setText(f"岗位：{badge.post or '—'}")
        self.stars.setText(stars_text(badge.star_rating))
        pm = QPixmap()
        if self.photo_dir and badge.photo_ref:
            pm.load(str(self.photo_dir / badge.photo_ref))
        self._set_pixmap(pm if not pm.isNull() else None)

    def set_photo(self, data: bytes | None) -> None:
        """The uploaded photo (JPEG bytes from ``GET /staff/{staff_no}/photo``); None: placeholder."""
        pm = QPixmap()
        self._set_pixmap(pm if data and pm.loadFromData(data) else None)

    def set_supervision_phone(self, phone: str) -> None:
        self.supervision.setText(f"监督电话：{phone}" if phone else "")

    def _set_pixmap(self, pm: QPixmap | None) -> None:
        self.photo_is_placeholder = pm is None
        if pm is None:
            pm = initial_photo(self._badge.name if self._badge else "", PHOTO_W)
        self.photo.setPixmap(pm.scaled(PHOTO_W, PHOTO_H, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation))
        self.photo_changed.emit(not self.photo_is_placeholder)

