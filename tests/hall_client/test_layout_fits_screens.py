"""Every mode, every tab, at 1366×768 and 1920×1080: nothing grows past the screen,
nothing lies outside the window, nothing is squeezed (``layout.assert_fits``), and no
English word is shown (``layout.english``).

The modes come from ``hall_client.modes.MODES`` and the pages from the widgets
themselves (every QTabWidget and QStackedWidget, nested ones too), so a mode or tab added
later is checked without touching this file; only a new *device* mode needs its token
named in ``DEVICE_TOKENS`` (a staff mode signs in as the admin unless ``STAFF`` says who).
"""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt

from hall_client.modes import MODES
from hall_client.widgets.fit import FULL_SCREEN_MODES

from .layout import SCREENS, english, problems, settle, usable, walk_pages

STAFF: dict[str, tuple[str, int | None]] = {"window": ("1001", 1), "dashboard": ("3001", None),
                                             "supervision": ("4001", None)}
DEVICE_TOKENS = {"kiosk": "kiosk-1", "display": "display-1", "evaluator": "evaluator-1"}
DEVICES = {"window": {"led": "sim:led", "evaluator": "sim:evaluator", "printer": "sim:printer",
                      "idcard": "sim:idcard?card=0"},
           "kiosk": {"printer": "sim:printer?status=required", "idcard": "sim:idcard"},
           "display": {"led": "sim:led"}}


def settled(qtbot: Any, built: Any, wait_ms: int, *, snapshot: bool = True) -> None:
    """Wait until the snapshot is in (modes that follow the hall) and no answer is outstanding."""
    api = built.ctx.api
    qtbot.wait_until(lambda: (built.ctx.store.loaded or not snapshot) and not api.busy, timeout=wait_ms)
    settle(built.widget)
    qtbot.wait_until(lambda: not api.busy, timeout=wait_ms)


def open_mode(qtbot: Any, client_factory: Any, device_tokens: dict[str, str], mode: str, wait_ms: int,
              staff: tuple[str, int | None] | None = None) -> Any:
    if mode in DEVICE_TOKENS:
        wn = 1 if mode == "evaluator" else None
        return client_factory(mode, token=device_tokens[DEVICE_TOKENS[mode]], window_no=wn,
                              devices=DEVICES.get(mode, {}))
    staff_no, window_no = staff or STAFF.get(mode, ("9001", None))
    built = client_factory(mode, window_no=window_no, devices=DEVICES.get(mode, {}), wait_online=False)
    login = built.widget.login
    login.staff_no.setText(staff_no)
    login.password.setText("demo1234")
    with qtbot.wait_signal(login.signed_in, timeout=wait_ms):
        login.button.click()
    settled(qtbot, built, wait_ms, snapshot=mode == "window")
    return built


def walk_and_check(built: Any, mode: str) -> list[str]:
    """Check the screen at both sizes in every page state; return what does not fit."""
    found: list[str] = []
    top = built.widget
    for name, screen in SCREENS.items():
        size = usable(screen, framed=mode not in FULL_SCREEN_MODES)
        top.resize(size)
        top.show()
        settle(top)
        for page in itertools.chain(["(起始)"], walk_pages(top)):  # lazily: check each page while it shows
            found += [f"[{mode} {name} {page}] {p}" for p in problems(top, size)]
            if name == "1366x768":  # the words are the same at both sizes
                found += [f"[{mode} {page}] English: {p}" for p in english(top)]
    return found


@pytest.mark.parametrize("mode", sorted(MODES))
def test_every_page_of_the_mode_fits_1366x768_and_1920x1080(qtbot, client_factory, device_tokens, wait_ms, mode):
    built = open_mode(qtbot, client_factory, device_tokens, mode, wait_ms)
    found = walk_and_check(built, mode)
    assert not found, "\n".join(found)


def test_the_cashiers_window_fits_both_screens(qtbot, client_factory, device_tokens, wait_ms):
    built = open_mode(qtbot, client_factory, device_tokens, "window", wait_ms, staff=("2001", 12))
    found = walk_and_check(built, "window")
    assert not found, "\n".join(found)


def test_the_window_still_fits_after_an_intake_with_its_result_shown(qtbot, client_factory, device_tokens,
                                                                     take_ticket, wait_ms):
    built = open_mode(qtbot, client_factory, device_tokens, "window", wait_ms)
    w = built.widget
    take_ticket("A")
    with qtbot.wait_signal(built.session.ticket_called, timeout=wait_ms):
        qtbot.keyClick(w, Qt.Key.Key_F1)
    p = w.panel("受理")
    with qtbot.wait_signal(p.matters_found, timeout=wait_ms, check_params_cb=lambda items: bool(items)):
        p.search.setText("sgxk")
    with qtbot.wait_signal(p.matter_loaded, timeout=wait_ms):
        qtbot.keyClick(p.search, Qt.Key.Key_Return)
    with qtbot.wait_signal(p.card_read, timeout=wait_ms):
        p.read_idcard()
    p.phone.setText("13800138000")
    p.mark_all("received")
    for size in (usable(SCREENS["1366x768"]), usable(SCREENS["1920x1080"])):
        w.resize(size)
        settle(w)
    with qtbot.wait_signal(p.case_saved, timeout=wait_ms):
        qtbot.keyClick(p.phone, Qt.Key.Key_F7)
    settled(qtbot, built, wait_ms)
    assert p.result.text() and p.result.isVisibleTo(w)
    found = walk_and_check(built, "window")
    assert not found, "\n".join(found)
    for size in (usable(SCREENS["1366x768"]), usable(SCREENS["1920x1080"])):
        w.resize(size)
        settle(w)
        assert w.size() == size
        for name in w.buttons:  # the six queue actions and the current ticket stay on screen
            assert visible_on_screen(w.buttons[name], w), name
        assert visible_on_screen(w.current_ticket, w)


def visible_on_screen(widget: Any, top: Any) -> bool:
    """Is the widget wholly inside the window's visible area (not scrolled away)?"""
    region = widget.visibleRegion().boundingRect()
    return widget.isVisible() and region.size() == widget.size() and QSize(top.width(), top.height()) == top.size()


def test_the_window_dialogs_fit_a_1366x768_screen(qtbot, client_factory, device_tokens, wait_ms):
    from hall_client.modes.window import PauseDialog, TransferDialog

    from .layout import assert_dialog_fits
    built = open_mode(qtbot, client_factory, device_tokens, "window", wait_ms)
    for dialog in (TransferDialog(built.ctx.store.state, 1, built.widget), PauseDialog(built.widget)):
        assert_dialog_fits(dialog)
        dialog.close()
