"""Episode ids and slugs: the only names that become path components of a dataset.

An episode id is ``<UTC start, basic ISO 8601>-<station slug>-<8 random hex digits>``, e.g.
``20261122T051200Z-lab-a-3f9c01d2``: sortable by time, unique without coordination between
stations, and safe as a folder name on every filesystem and object store. Names typed by users
(stations, operators, objects) pass through :func:`slug` and never reach a path raw.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime

SLUG_MAX_LEN = 32
EMPTY_SLUG = "unnamed"
"""The slug of a name with no ASCII letter or digit (empty, only symbols, only CJK...)."""

EPISODE_ID_RE = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{8}$")


def slug(name: str) -> str:
    """Map any string to a non-empty ``[a-z0-9-]`` slug of at most SLUG_MAX_LEN characters.

    Accents are folded (``"Éponge"`` -> ``"eponge"``), every run of other characters becomes one
    ``-``, and leading/trailing dashes are removed, so ``"../../etc"`` -> ``"etc"``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    dashed = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return dashed[:SLUG_MAX_LEN].rstrip("-") or EMPTY_SLUG


def new_episode_id(station: str, t_utc: datetime) -> str:
    """A fresh episode id for ``station`` starting at ``t_utc`` (timezone-aware).

    Raises ValueError for a naive datetime, whose instant is ambiguous.
    """
    if t_utc.tzinfo is None or t_utc.utcoffset() is None:
        raise ValueError(f"t_utc must be timezone-aware, got naive {t_utc.isoformat()}")
    stamp = t_utc.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{slug(station)}-{secrets.token_hex(4)}"


def is_episode_id(text: str) -> bool:
    """True when ``text`` has the form produced by :func:`new_episode_id`."""
    return EPISODE_ID_RE.fullmatch(text) is not None
