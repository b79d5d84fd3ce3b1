"""挂牌上岗: the clerk's badge shown at the window (name, 工号, photo, department, post)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from hall_server.contract import Badge


def initial_photo(name: str, size: int = 120) -> QPixmap:
    """A stand-in portrait (the family name on red) when no photo file is available."""
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


class BadgeCard(QFrame):
    def __init__(self, *, photo_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("badge")
        self.photo_dir = photo_dir
        lay = QVBoxLayout(self)
        title = QLabel("挂牌上岗")
        title.setObjectName("badgeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo = QLabel()
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name = QLabel()
        self.name.setObjectName("badgeName")
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.staff_no = QLabel()
        self.department = QLabel()
        self.post = QLabel()
        self.stars = QLabel()
        for w in (title, self.photo, self.name, self.staff_no, self.department, self.post, self.stars):
            lay.addWidget(w)
        lay.addStretch(1)

    def set_badge(self, badge: Badge | None) -> None:
        if badge is None:
            for w in (self.name, self.staff_no, self.department, self.post, self.stars):
                w.clear()
            self.photo.clear()
            return
        self.name.setText(badge.name)
        self.staff_no.setText(f"工号：{badge.staff_no}")
        self.department.setText(f"部门：{badge.department or '—'}")
        self.post.setText(f"岗位：{badge.post or '—'}")
        self.stars.setText(f"服务星级：{'★' * round(badge.star_rating)}" if badge.star_rating else "")
        pm = QPixmap()
        if self.photo_dir and badge.photo_ref:
            pm.load(str(self.photo_dir / badge.photo_ref))
        self.photo.setPixmap(pm if not pm.isNull() else initial_photo(badge.name))
