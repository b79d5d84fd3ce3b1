"""Badge photos: accept a JPEG or PNG, refuse anything else, and keep one small JPEG.

Scaling on the server means every window PC and the hall board get the same modest
image (a phone camera's 4 MB original would be sent to 80 screens otherwise)."""
from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from ..domain.errors import BadInput, TooLarge

MAX_UPLOAD_BYTES = 900_000  # below the app's body limit, so the message is ours
BOX = (300, 400)  # 3:4 portrait, about twice the badge's on-screen size
MIN_SIDE = 60


def scale(raw: bytes) -> tuple[bytes, tuple[int, int]]:
    """The stored JPEG and its size; a known error for anything that is not a usable photo."""
    if not raw:
        raise BadInput("没有收到照片文件。", code="bad_photo")
    if len(raw) > MAX_UPLOAD_BYTES:
        raise TooLarge(f"照片文件过大（上限 {MAX_UPLOAD_BYTES // 1000} KB），请先缩小后再上传。", code="photo_too_large")
    try:
        img = Image.open(io.BytesIO(raw))
        fmt = img.format
        if fmt not in ("JPEG", "PNG"):
            raise BadInput("照片须为 JPEG 或 PNG 格式。", code="bad_photo")
        if img.width * img.height > 40_000_000:
            raise BadInput("照片像素过多，请先缩小后再上传。", code="bad_photo")
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise BadInput("无法识别该照片文件，请上传 JPEG 或 PNG 格式的照片。", code="bad_photo") from None
    img = ImageOps.exif_transpose(img)
    if min(img.size) < MIN_SIDE:
        raise BadInput(f"照片太小（至少 {MIN_SIDE}×{MIN_SIDE} 像素）。", code="bad_photo")
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, "white")
        bg.paste(rgba, mask=rgba.getchannel("A"))
        img = bg
    else:
        img = img.convert("RGB")
    img.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), img.size
