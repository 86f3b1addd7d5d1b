"""The files of a dataset as the tests compare them: digests, and every path's components."""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest(root: Path, *names: str) -> dict[str, str]:
    """sha256 of every file under ``root / name`` for each of ``names`` (all of ``root`` if
    none), keyed by path relative to ``root``."""
    folders = [root / name for name in names] or [root]
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def components(root: Path) -> set[str]:
    """Every file and folder name under ``root``."""
    return {part for p in root.rglob("*") for part in p.relative_to(root).parts}
