"""F-keys never mean two things on one screen: the window mode binds each key once
(``hall_client/keys.py`` is the only place a key is bound), and on the signed-in screen
of a department clerk and of the cashier every F-key names exactly one button."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from PySide6.QtWidgets import QPushButton

import hall_client
from hall_client import keys
from hall_client.modes.window import BUTTONS

F_KEY = re.compile(r"\bF(1[0-2]|[1-9])\b")


def test_no_key_is_bound_twice_in_window_mode():
    twice = [k for k, n in Counter(b.key for b in keys.WINDOW_KEYS).items() if n > 1]
    assert not twice, twice
    assert len({(b.panel, b.action) for b in keys.WINDOW_KEYS}) == len(keys.WINDOW_KEYS)
    assert [b.key_name for b in keys.WINDOW_KEYS] == [f"F{i}" for i in range(1, 13)]


def test_f_keys_are_bound_only_through_the_table():
    root = Path(hall_client.__file__).parent
    stray = [f"{p.relative_to(root)}:{i}" for p in root.rglob("*.py") if p.name != "keys.py"
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"Key_F\d", line)]
    assert not stray, f"F-keys bound outside hall_client/keys.py: {stray}"


def test_queue_buttons_come_from_the_table():
    assert [(k, t) for k, t, _ in BUTTONS] == [(b.key, b.text) for b in keys.WINDOW_KEYS if b.panel == keys.QUEUE]


def _buttons_by_key(widget) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[str]] = {}
    for b in widget.findChildren(QPushButton):
        for k in F_KEY.findall(b.text()):
            out.setdefault(f"F{k}", []).append(b.text())
    return out


def _assert_one_meaning(widget) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    found = _buttons_by_key(widget)
    twice = {k: texts for k, texts in found.items() if len(texts) > 1}
    assert not twice, f"one key on two buttons: {twice}"
    for k, (text,) in found.items():
        b = next(x for x in keys.WINDOW_KEYS if x.key_name == k)
        assert b.label in text or b.action in ("start_complete", "pause"), (k, text, b.label)
    return found


def test_every_f_key_names_one_button_on_the_clerks_and_the_cashiers_screen(client_factory, sign_in):
    clerk = client_factory("window", window_no=5)
    sign_in(clerk, "1005")
    found = _assert_one_meaning(clerk.widget)
    assert {"F1", "F5", "F7", "F10", "F12"} <= set(found) and "F11" not in found
    cashier = client_factory("window", window_no=12)
    sign_in(cashier, "2001")
    found = _assert_one_meaning(cashier.widget)
    assert {"F1", "F5", "F7", "F11"} <= set(found) and "F12" not in found
    assert found["F11"] == ["收费并打印 F11"] and found["F5"] == ["F5 开始办理"]
