"""Reading back exported videos with PyAV."""

from pathlib import Path

import av
import numpy as np


def decode_video(path: Path | str, fmt: str) -> tuple[list[np.ndarray], list[float]]:
    """Every frame of the MP4 at ``path`` as arrays in pixel format ``fmt`` ("gray",
    "rgb24"), and the time (s) each is presented at."""
    with av.open(str(path)) as video:
        decoded = list(video.decode(video=0))
    return [f.to_ndarray(format=fmt) for f in decoded], [float(f.time) for f in decoded]
