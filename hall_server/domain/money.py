"""Money as an integer number of 分: display in ¥ and in Chinese capital numerals (大写).

Amounts are never floats anywhere in the hall. ``daxie`` follows the writing rules of the
PBOC 《支付结算办法》 (附件一 正确填写票据和结算凭证的基本规定), which is what a finance
officer checks a receipt against:

* units 拾佰仟 inside a group of four digits, 万 and 亿 between groups; a leading 拾 is
  written 壹拾 (壹拾元整, not 拾元整: a bare 拾 can be altered to 叁拾 by hand);
* one 零 stands for any run of zeros between non-zero digits, also across 万/亿;
* an amount that stops at 元 ends in 整; one that stops at 角 also ends in 整 (the rules
  allow it and it closes the line against additions); one with 分 never does;
* when 元 has digits before it and the 角 is zero but 分 is not, 零 is written
  (叁佰贰拾伍元零肆分); when the 个 digit is zero and the 角 is not, one 零 is written too
  (壹仟陆佰捌拾元零叁角贰分) — the rules allow either form, we pick the explicit one;
* amounts below one 元 start at the first non-zero unit (伍角, 叁分), and 0 is 零元整.

Negative amounts (refunds) read 负…; the receipt prints them as such.
"""
from __future__ import annotations

from fractions import Fraction

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")
MAX_FEN = 10**16 - 1  # below 一万亿亿: far beyond any hall, and keeps 大写 unambiguous


class MoneyError(ValueError):
    """An amount the hall cannot represent (too large, not whole 分)."""


def yuan(fen: int, *, symbol: bool = True, grouping: bool = True) -> str:
    """12345 -> '¥123.45'; -500 -> '-¥5.00'. Integer arithmetic only."""
    _check(fen)
    sign = "-" if fen < 0 else ""
    y, f = divmod(abs(fen), 100)
    body = f"{y:,}" if grouping else str(y)
    return f"{sign}{'¥' if symbol else ''}{body}.{f:02d}"


def parse_yuan(text: str) -> int:
    """'123.4' / '¥1,234.50' / '12' -> 分. Rejects more than two decimals instead of rounding:
    a cashier typing tendered cash must never have it silently changed."""
    t = text.strip().replace("¥", "").replace("￥", "").replace(",", "").replace("，", "")
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    if not t or t.count(".") > 1:
        raise MoneyError(f"金额“{text}”格式不正确。")
    whole, _, frac = t.partition(".")
    if not whole:
        whole = "0"
    if not ascii_digits(whole) or (frac and not ascii_digits(frac)) or len(frac) > 2:
        raise MoneyError(f"金额“{text}”格式不正确（最多到分）。")
    fen = int(whole) * 100 + int((frac + "00")[:2])
    _check(fen)
    return -fen if neg else fen


def ascii_digits(s: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts １２ and ², which int() may not."""
    return bool(s) and all("0" <= ch <= "9" for ch in s)


def _check(fen: int) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError("金额必须是整数分。")
    if abs(fen) > MAX_FEN:
        raise MoneyError("金额超出范围。")


def _group(n: int) -> str:
    """0 < n < 10000 -> digits with 拾佰仟, inner zeros collapsed, no trailing 零."""
    out: list[str] = []
    zero = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[d] + SMALL_UNITS[pos])
    return "".join(out)


def _integer(n: int) -> str:
    """n > 0 yuan -> 大写 with 万/亿, one 零 for any run of zeros between parts."""
    groups: list[int] = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    out: list[str] = []
    need_zero = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            if out:
                need_zero = True
            continue
        if out and (need_zero or g < 1000):
            out.append("零")
        need_zero = False
        out.append(_group(g) + BIG_UNITS[i])
    return "".join(out)


def daxie(fen: int) -> str:
    """12000 -> '壹佰贰拾元整'; 32504 -> '叁佰贰拾伍元零肆分'; 50 -> '伍角整'."""
    _check(fen)
    if fen < 0:
        return "负" + daxie(-fen)
    y, rest = divmod(fen, 100)
    jiao, fen_ = divmod(rest, 10)
    if fen == 0:
        return "零元整"
    out = _integer(y) + "元" if y else ""
    if jiao == 0 and fen_ == 0:
        return out + "整"
    if y and (y % 10 == 0 or jiao == 0):
        out += "零"
    if jiao:
        out += DIGITS[jiao] + "角"
    if fen_:
        out += DIGITS[fen_] + "分"
    else:
        out += "整"
    return out


def round_half_up(value: Fraction) -> int:
    """四舍五入 to a whole 分, away from zero at exactly half (the rule price bureaus use;
    banker's rounding would surprise a payer reading the standard)."""
    sign = -1 if value < 0 else 1
    v = abs(value)
    whole = v.numerator // v.denominator
    if v - whole >= Fraction(1, 2):
        whole += 1
    return sign * whole


def split_total(total_fen: int, parts: list[int]) -> list[int]:
    """Share ``total_fen`` in proportion to ``parts`` so the shares sum exactly to the total
    (largest remainder method): used to allocate a refund across accounts."""
    s = sum(parts)
    if s <= 0 or any(p < 0 for p in parts):
        raise MoneyError("分摊基数必须为正。")
    raw = [Fraction(total_fen * p, s) for p in parts]
    base = [r.numerator // r.denominator for r in raw]
    left = total_fen - sum(base)
    order = sorted(range(len(parts)), key=lambda i: (raw[i] - base[i], -i), reverse=True)
    for i in order[:left]:
        base[i] += 1
    return base
