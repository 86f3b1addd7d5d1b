"""The packaged simulated station written out as a TOML file, with small cameras."""

import json
from pathlib import Path

from app.config import load_config


def small_station_toml(path: Path, *tables: str) -> Path:
    """Write the packaged simulated station to ``path`` with 160x120 cameras; ``tables`` are
    extra TOML tables (e.g. ``[station]`` or ``[dataset]`` text) put first."""
    lines = list(tables)
    for device, entry in load_config().model_dump()["devices"].items():
        lines.append(f"[devices.{device}]")
        for key, value in entry.items():
            if key == "faults":
                continue
            if entry["family"] == "camera" and key in ("width", "height"):
                value = 160 if key == "width" else 120
            lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n")
    return path
