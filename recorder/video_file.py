"""One MP4 video being written with PyAV (the ``export`` extra): camera or tactile images.

Both kinds are H.264 (libx264) with a keyframe every KEYFRAME_INTERVAL frames and no
B-frames, so a training loader reaches any frame by decoding at most one other, in order.
Frame k is presented at k / fps seconds.

- Camera images (H x W x 3 uint8 RGB): yuv420p at CAMERA_CRF, resized (area averaging) to
  the file's size after a centred crop to its aspect ratio.
- Tactile images (H x W uint8 grey): lossless, ``qp=0`` in full-range yuvj420p with the image
  in the luma plane and neutral chroma. Decoded to grey (luma) or to RGB, every pixel comes
  back exactly. H and W must be even.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CAMERA_CRF = 18
"""The incumbent's recording quality (visually lossless)."""
CAMERA_PRESET = "veryfast"
LOSSLESS_PRESET = "ultrafast"
"""Lossless size barely depends on the preset; the speed does."""
KEYFRAME_INTERVAL = 2
CAMERA_PIX_FMT = "yuv420p"
LOSSLESS_PIX_FMT = "yuvj420p"
FULL_RANGE = 2
"""AVCOL_RANGE_JPEG: luma 0..255, no studio-range scaling."""
NEUTRAL_CHROMA = 128


def centre_crop(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """The largest centred part of ``image`` with the aspect ratio ``width:height``."""
    h, w = image.shape[:2]
    if w * height > h * width:
        keep = round(h * width / height)
        return image[:, (w - keep) // 2 : (w - keep) // 2 + keep]
    keep = round(w * height / width)
    return image[(h - keep) // 2 : (h - keep) // 2 + keep]


class VideoFile:
    """An MP4 file of ``width`` x ``height`` frames at ``fps`` being written at ``path``."""

    def __init__(self, path: Path, fps: int, width: int, height: int, lossless: bool) -> None:
        import av  # the ``export`` extra

        self._av = av
        self.path, self.lossless = path, lossless
        self.width, self.height = width, height
        self.frames = 0
        self.bytes = 0
        """Bytes of the encoded frames so far (the file's size, less the container)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(path), "w")
        options = (
            {"qp": "0", "preset": LOSSLESS_PRESET}
            if lossless
            else {"crf": str(CAMERA_CRF), "preset": CAMERA_PRESET}
        )
        self._stream = self._container.add_stream("libx264", rate=fps, options=options)
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = LOSSLESS_PIX_FMT if lossless else CAMERA_PIX_FMT
        context = self._stream.codec_context
        context.gop_size = KEYFRAME_INTERVAL
        context.max_b_frames = 0
        if lossless:
            context.color_range = FULL_RANGE
            self._chroma = np.full((height // 2, width), NEUTRAL_CHROMA, np.uint8)

    @property
    def pix_fmt(self) -> str:
        return self._stream.pix_fmt

    def write(self, image: np.ndarray) -> None:
        """Append one frame: grey (H, W) for a lossless file, RGB (H, W, 3) otherwise."""
        if self.lossless:
            if image.shape != (self.height, self.width):
                raise ValueError(
                    f"{self.path}: a {image.shape} frame in a {self.height}x{self.width} file"
                )
            planes = np.concatenate([image, self._chroma])  # Y, then U and V, as yuv420p
            frame = self._av.VideoFrame.from_ndarray(planes, format=LOSSLESS_PIX_FMT)
        else:
            image = np.ascontiguousarray(centre_crop(image, self.width, self.height))
            frame = self._av.VideoFrame.from_ndarray(image, format="rgb24").reformat(
                self.width, self.height, CAMERA_PIX_FMT, interpolation="AREA"
            )
        frame.pts = self.frames
        self._mux(self._stream.encode(frame))
        self.frames += 1

    def close(self) -> None:
        """Flush the encoder and finish the file."""
        self._mux(self._stream.encode(None))
        self._container.close()

    def _mux(self, packets: list) -> None:
        for packet in packets:
            self.bytes += packet.size
            self._container.mux(packet)
