"""Control-loop timing under full simulated load, recording.

Runs the simulated station headless (three 1280x720 cameras at 30 fps, ten tactile channels,
gloves, trackers, body, hands), engages, records one episode for ``--seconds`` and prints
the per-stream summary, then one JSON object on the last line.

    python benchmarks/control_loop.py --seconds 60
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from app.config import load_config
from app.station import Station
from app.summary import run_summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--config", default=None, help="station TOML (default: simulated)")
    args = parser.parse_args()
    config = load_config(args.config)
    with tempfile.TemporaryDirectory() as dataset, Station(config) as station:
        if not station.wait_for(station.inputs_ready, 15.0):
            raise SystemExit("inputs never became ready")
        station.engage()
        station.start_recording("benchmark", "sphere", dataset=dataset)
        station.loop_stats.reset()
        time.sleep(args.seconds)
        path = station.recording.path
        meta = station.stop_recording()
        summary = run_summary(station, meta, path)
    loop = summary["loop"]
    for name, s in summary["streams"].items():
        print(
            f"{name:26s} {s['count']:7d} {s['rate_hz']:7.1f} Hz gaps {s['gaps']} "
            f"dropped {s['dropped']}"
        )
    print(
        json.dumps(
            {
                "rate_hz": round(loop["rate_hz"], 2),
                "seconds": args.seconds,
                "period_p50_ms": round(loop["period_p50_ms"], 4),
                "period_p99_ms": round(loop["period_p99_ms"], 4),
                "period_max_ms": round(loop["period_max_ms"], 4),
                "missed_ticks": loop["missed_ticks"],
                "drops": sum(s["dropped"] for s in summary["streams"].values())
                + loop["ring_drops"],
                "max_input_age_ms": round(loop["max_input_age_ms"], 2),
                "scheduling": loop["realtime"],
                "huge_pages": loop["huge_pages"],
                "compute_p50_us": round(loop["compute_p50_us"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
