"""Option models shared by the simulated backends (validated from the station configuration)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from devices.faults import FaultSpec

Side = Literal["left", "right"]


class SimOptions(BaseModel):
    """Options every simulated backend takes: the faults it injects (healthy by default)."""

    model_config = ConfigDict(extra="forbid")

    faults: FaultSpec = Field(default_factory=FaultSpec)


class SidedOptions(SimOptions):
    """Options of a simulated device worn on or fitted to one hand."""

    side: Side
