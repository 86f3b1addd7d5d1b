"""Per-operator window preferences: layout of the panels, window geometry, display choices.

One JSON file per operator, ``<preferences_dir>/<operator slug>.json``, written atomically
(temporary file, then rename) so a crash never leaves half a file. A file that cannot be read
is renamed ``*.unreadable`` (kept for inspection, never silently overwritten) and defaults are
used; the caller shows the returned warning.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from recorder.episode_id import slug

FORMAT_VERSION = 1


@dataclass
class Preferences:
    """What the window restores for an operator.

    ``geometry`` and ``layout`` are Qt's ``saveGeometry``/``saveState`` bytes in base64;
    ``show_raw`` shows RAW tactile images instead of DEFORM heatmaps.
    """

    geometry: str = ""
    layout: str = ""
    show_raw: bool = False


def preferences_path(folder: str | Path, operator: str) -> Path:
    """The file of ``operator`` (any name: it passes through :func:`slug`)."""
    return Path(folder) / f"{slug(operator)}.json"


def load_preferences(folder: str | Path, operator: str) -> tuple[Preferences, str]:
    """``operator``'s preferences and a warning ("" when none); defaults if there is no file."""
    path = preferences_path(folder, operator)
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError(f"not a version {FORMAT_VERSION} preferences file")
        known = {f.name for f in fields(Preferences)}
        values = {k: v for k, v in data.items() if k in known}
        prefs = Preferences(**values)
        if not isinstance(prefs.show_raw, bool) or not all(
            isinstance(v, str) for v in (prefs.geometry, prefs.layout)
        ):
            raise ValueError("a field has the wrong type")
        return prefs, ""
    except FileNotFoundError:
        return Preferences(), ""
    except (OSError, ValueError, TypeError) as exc:
        kept = path.with_suffix(".unreadable")
        try:
            path.replace(kept)
        except OSError:
            kept = path
        return (
            Preferences(),
            f"{path}: {exc}; using the default layout (the file is kept as {kept})",
        )


def save_preferences(folder: str | Path, operator: str, prefs: Preferences) -> Path:
    """Write ``operator``'s preferences atomically; returns the file. Raises OSError."""
    path = preferences_path(folder, operator)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": FORMAT_VERSION, **asdict(prefs)}, indent=1))
    os.replace(tmp, path)
    return path
