"""The PNG preview: 576 dots wide, Chinese glyphs from a real CJK font, QR drawn from its payload."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from printers import fonts
from printers.decode import decode
from printers.escpos import PrinterProfile
from printers.preview import MARGIN, preview_png, render, save_preview
from printers.slips import receipt, render_all, ticket


def test_find_cjk_font_prefers_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    f = tmp_path / "my.ttf"
    f.write_bytes(b"not really a font")
    monkeypatch.setenv("HALL_CJK_FONT", str(f))
    assert fonts.find_cjk_font() == f


def test_find_cjk_font_ignores_a_missing_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALL_CJK_FONT", "/nonexistent/font.ttc")
    found = fonts.find_cjk_font()
    assert found is None or found.is_file()


def test_preview_is_576_dots_wide_plus_margins(samples: Any) -> None:
    png = preview_png(ticket(samples.ticket(), PrinterProfile()).data)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.width == 576 + 2 * MARGIN
    assert img.height > 400


def test_preview_draws_the_big_number_and_the_qr(samples: Any) -> None:
    img = render(decode(ticket(samples.ticket(), PrinterProfile()).data))
    gray = img.convert("L")
    dark_rows = [y for y in range(gray.height)
                 if any(int(gray.getpixel((x, y))) < 128 for x in range(0, gray.width, 2))]  # type: ignore[arg-type]
    assert len(dark_rows) > 300  # text, a 96-dot tall number, a 200-dot QR


def test_preview_of_a_58mm_slip_and_a_job_with_several_slips(samples: Any, tmp_path: Path) -> None:
    p58 = PrinterProfile(width_mm=58)
    job = render_all([samples.ticket(), samples.receipt()], p58)
    path = save_preview(job.data, tmp_path / "job.png", width=384)
    with Image.open(path) as img:
        assert img.width == 384 + 2 * MARGIN
        one = Image.open(io.BytesIO(preview_png(receipt(samples.receipt(), p58).data, width=384)))
        assert img.height > one.height


def test_preview_of_image_qr_and_garbage_does_not_crash(samples: Any) -> None:
    data = ticket(samples.ticket(), PrinterProfile(qr="image")).data
    assert Image.open(io.BytesIO(preview_png(data))).width == 608
    assert Image.open(io.BytesIO(preview_png(b"\x1b\xff\x81abc\x1d(k"))).width == 608
