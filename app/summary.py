"""The run summary printed by ``dexstation run --headless`` and used by the benchmarks."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.station import Station
from recorder.metadata import EpisodeMetadata


def run_summary(
    station: Station, episode: EpisodeMetadata | None = None, path: Path | None = None
) -> dict[str, Any]:
    """Per-stream counts, rates, gaps and drops; loop timing; the recorded episode."""
    snap = station.snapshot()
    timing = station.loop_stats.timing()
    drops = dict(episode.drops) if episode else {}
    streams = {
        name: {
            "count": h.count,
            "rate_hz": h.rate_hz,
            "gaps": h.gaps,
            "dropped": h.dropped + drops.get(name, 0),
            "invalid": h.invalid,
        }
        for name, h in snap.health.items()
    }
    loop = {
        **asdict(timing),
        "realtime": snap.control.realtime,
        "huge_pages": station.huge_pages,
        "ring_drops": station.control.ring_drops,
    }
    summary: dict[str, Any] = {"streams": streams, "loop": loop, "episode": None}
    if episode is not None:
        summary["episode"] = {
            "episode_id": episode.episode_id,
            "path": str(path),
            "status": episode.status,
            "drops": sum(drops.values()),
        }
    return summary
