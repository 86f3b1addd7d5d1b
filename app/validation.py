"""Validation errors people can act on: the file, the field (dotted path) and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError


def dotted(parts: tuple[Any, ...]) -> str:
    """``("devices", "g", "side")`` -> ``"devices.g.side"``."""
    return ".".join(str(p) for p in parts) or "(top level)"


def fix_for(error: Mapping[str, Any]) -> str:
    """What to do about one pydantic error."""
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "remove this key or check its spelling"
    if kind == "missing":
        return "add this key"
    ctx = error.get("ctx") or {}
    if "expected" in ctx:
        return f"use one of {ctx['expected']}"
    for bound in ("ge", "gt", "le", "lt"):
        if bound in ctx:
            return f"use a value {dict(ge='>=', gt='>', le='<=', lt='<')[bound]} {ctx[bound]}"
    return "correct the value"


def describe_errors(
    source: str, exc: ValidationError, prefix: tuple[Any, ...] = (), what: str = "configuration"
) -> str:
    """Every error of ``exc`` as a line: where (under ``prefix``), what, and the fix."""
    lines = [f"{source}: invalid {what}"]
    for err in exc.errors():
        where = dotted(prefix + tuple(err["loc"]))
        lines.append(f"  {where}: {err['msg']} (fix: {fix_for(err)})")
    return "\n".join(lines)


def rigid_transform(value: list[list[float]]) -> list[list[float]]:
    """Check a 4x4 homogeneous rigid transform (m); ValueError saying what is wrong."""
    m = np.asarray(value, dtype=float)
    if m.shape != (4, 4):
        raise ValueError(f"must be a 4x4 matrix, got shape {m.shape}")
    rot = m[:3, :3]
    if not np.allclose(rot @ rot.T, np.eye(3), atol=1e-6) or not np.isclose(
        np.linalg.det(rot), 1.0, atol=1e-6
    ):
        raise ValueError("rotation part must be orthonormal with determinant +1")
    if not np.allclose(m[3], (0, 0, 0, 1)):
        raise ValueError("last row must be [0, 0, 0, 1]")
    return value
