"""``dexstation doctor``: a table of every configured device's checks, with the fix for each
failure. Exit status 0 when everything passed, 1 when something failed, 2 on a bad config."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path

from app.config import ConfigError, load_config, simulated
from app.doctor import DeviceReport, examine
from app.station import StationError

DETAIL_WIDTH = 60
"""Characters per line of the detail column."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``doctor`` subcommand."""
    parser = sub.add_parser("doctor", help="check every configured device and say how to fix it")
    parser.add_argument("--config", type=Path, help="station TOML (default: simulated station)")
    parser.add_argument("--sim", action="store_true", help="check the simulated devices instead")
    parser.add_argument(
        "--timeout", type=float, default=3.0, help="how long each device may take (s)"
    )
    parser.add_argument(
        "--rate-seconds", type=float, default=2.0, help="rate measurement time (s; 0 skips it)"
    )
    parser.add_argument("--json", action="store_true", help="the findings as JSON")


def run(args: argparse.Namespace) -> int:
    """Check the devices and print the table (or JSON)."""
    try:
        config = load_config(args.config)
        if args.sim:
            config = simulated(config)
        progress = (lambda line: None) if args.json else (lambda line: print(line, flush=True))
        reports = examine(config, args.timeout, args.rate_seconds, progress)
    except (ConfigError, StationError) as exc:
        print(f"dexstation doctor: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([{**asdict(r), "ok": r.ok} for r in reports]))
    else:
        print(format_table(reports))
    return 0 if all(r.ok for r in reports) else 1


def format_table(reports: list[DeviceReport]) -> str:
    """One row per check: device, backend, check, OK/FAIL and the detail, then the fix."""
    rows = [("device", "backend", "check", "result", "detail")]
    for report in reports:
        for k, finding in enumerate(report.findings):
            name, backend = (report.device, report.backend) if k == 0 else ("", "")
            detail = finding.detail
            if not finding.ok and finding.fix:
                detail += f"\nfix: {finding.fix}"
            rows.append((name, backend, finding.check, "ok" if finding.ok else "FAIL", detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        detail_lines = [
            wrapped
            for paragraph in row[4].splitlines() or [""]
            for wrapped in textwrap.wrap(paragraph, DETAIL_WIDTH, subsequent_indent="  ") or [""]
        ]
        for k, detail in enumerate(detail_lines):
            cells = row[:4] if k == 0 else ("",) * 4
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + detail
            )
    failed = sum(not f.ok for r in reports for f in r.findings)
    lines.append(f"\n{failed} failed of {sum(len(r.findings) for r in reports)} checks")
    return "\n".join(line.rstrip() for line in lines)
