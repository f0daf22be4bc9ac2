"""Language codes docbuild accepts (ISO 639-1, optionally with a region)."""

from __future__ import annotations

import re

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)

_TAG = re.compile(r"^([a-z]{2})(?:-([A-Z]{2}|[A-Z][a-z]{3}))?$")

#: Region used where a format wants a full locale (DOCX ``w:lang``).
DEFAULT_REGION = {"en": "en-US", "ru": "ru-RU", "kk": "kk-KZ"}


def is_known(tag: str) -> bool:
    """True for ``ru``, ``en-GB``, ``sr-Latn``; False for ``xx`` or ``english``."""
    match = _TAG.match(tag)
    return bool(match) and match.group(1) in ISO_639_1


def locale(tag: str) -> str:
    """A language tag with a region, for formats that need one."""
    return tag if "-" in tag else DEFAULT_REGION.get(tag, tag)
