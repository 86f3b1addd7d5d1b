"""The simulated scene: a table and one object (sphere or box), in the robot base frame (m)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SceneSpec(BaseModel):
    """Table and object of the simulated station, robot ``base`` frame (x fwd, y left, z up)."""

    model_config = ConfigDict(extra="forbid")

    table_height_m: float = Field(0.85, gt=0.0, description="table top z")
    table_x_m: tuple[float, float] = (0.25, 0.95)
    table_y_m: tuple[float, float] = (-0.6, 0.6)
    object_shape: Literal["sphere", "box"] = "sphere"
    object_radius_m: float = Field(0.04, gt=0.0, description="sphere radius")
    object_half_extents_m: tuple[float, float, float] = (0.03, 0.05, 0.04)
    object_xy_m: tuple[float, float] = (0.52, -0.2)
    stiffness_n_per_m: float = Field(
        800.0, gt=0.0, description="fingertip contact stiffness: N per m of penetration"
    )
    friction: float = Field(0.8, gt=0.0, description="Coulomb friction coefficient")
    seed: int = 0
    operator_delay_s: float = Field(
        0.0, ge=0.0, description="the scripted operator holds the robot's ready pose this long"
    )
