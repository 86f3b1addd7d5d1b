"""Glove calibration for one operator and hand: the guided poses, a live robot preview, save.

The page shows the pose to hold (:data:`calibration.glove.PROMPTS`) and the robot view, whose
hand on this side is the glove retargeted live with the calibration captured so far
(:class:`calibration.glove_preview.GlovePreview`), so each pose's effect shows as soon as it
is captured. Capture collects glove frames for the current pose
until it has :data:`calibration.glove.FRAMES_PER_POSE`, then moves to the next; after the
last pose the calibration is computed and Finish saves it in the operator's profile.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWizard, QWizardPage

from app.station import Station, StationError
from calibration.glove import POSES, PROMPTS, GloveCalibrationError, GloveCapture
from calibration.glove_preview import GlovePreview
from calibration.in_force import SIDES
from calibration.profiles import GloveCalibration
from devices.sample import Sample
from retargeting.teleop import LAYOUTS
from ui.robot_view import RobotView

POLL_MS = 5


class GloveWizard(QWizard):
    """Capture ``side``'s glove range for ``operator`` on ``station``."""

    def __init__(self, station: Station, operator: str, side: str) -> None:
        super().__init__()
        self.station, self.operator, self.side = station, operator, side
        self.setWindowTitle(f"Glove calibration — {operator}, {side} hand")
        self.capture = GloveCapture(side)
        self.calibration: GloveCalibration | None = None
        self.pose_index = 0
        self._last_seq: int | None = None
        page = QWizardPage()
        page.setTitle(f"{side.capitalize()} glove range of motion")
        self.prompt = QLabel(PROMPTS[POSES[0]])
        self.prompt.setWordWrap(True)
        self.capture_button = QPushButton("Capture")
        self.capture_button.clicked.connect(self.start_pose)
        self.status = QLabel("")
        self.live = self._live_preview()
        self.preview_q: np.ndarray | None = None
        """The previewed hand joints (22,) rad, None before the first glove sample."""
        self.preview = RobotView(self.previewed, station.config.retargeting.flange)
        layout = QVBoxLayout(page)
        for widget in (self.prompt, self.capture_button, self.status, self.preview):
            layout.addWidget(widget)
        self.addPage(page)
        self._collect = QTimer(self)
        self._collect.timeout.connect(self._take_frame)
        self._preview = QTimer(self)
        self._preview.timeout.connect(self.refresh_preview)
        self._preview.start(66)
        self.button(QWizard.WizardButton.FinishButton).clicked.connect(self.save)

    def _live_preview(self) -> GlovePreview:
        """The preview with the station's hand input and, until captured, its calibration."""
        retargeting = self.station.config.retargeting
        keypoints = retargeting.hand_input == "keypoints"
        in_force = self.station.calibration()
        i = SIDES.index(self.side)
        return GlovePreview(
            self.capture,
            LAYOUTS[retargeting.keypoint_layout] if keypoints else None,
            in_force.keypoint_mapping[i],
            in_force.ergonomics_range[i],
        )

    def refresh_preview(self) -> None:
        """Retarget the newest glove sample and redraw."""
        q = self.live.joints(self.station.bus.latest(f"glove_{self.side}"))
        if q is not None:
            self.preview_q = q
        self.preview.refresh()

    def previewed(self, stream: str) -> Sample | None:
        """The station's newest samples, this side's hand at the previewed joints."""
        sample = self.station.bus.latest(stream)
        if stream != f"hand_{self.side}" or sample is None or self.preview_q is None:
            return sample
        position = self.preview_q.astype(np.float32)
        return replace(sample, data={**sample.data, "position": position})

    @property
    def pose(self) -> str | None:
        return POSES[self.pose_index] if self.pose_index < len(POSES) else None

    def start_pose(self) -> None:
        """Collect frames of the current pose from the live glove stream."""
        if self.pose is not None:
            self.capture_button.setEnabled(False)
            self._collect.start(POLL_MS)

    def _take_frame(self) -> None:
        sample = self.station.bus.latest(f"glove_{self.side}")
        if sample is None or sample.seq == self._last_seq:
            return
        self._last_seq = sample.seq
        pose = self.pose
        self.capture.add(pose, sample)
        if pose in self.capture.missing():
            return
        self._collect.stop()
        self.pose_index += 1
        self.capture_button.setEnabled(self.pose is not None)
        if self.pose is not None:
            self.prompt.setText(PROMPTS[self.pose])
            return
        try:
            self.calibration = self.capture.result()
        except GloveCalibrationError as exc:
            self.status.setText(str(exc))
            return
        self.prompt.setText("Done: press Finish to save.")
        self.status.setText(
            f"keypoint scale {self.calibration.keypoint_scale:.3f}, "
            f"offset {self.calibration.keypoint_offset_m * 1000:.0f} mm"
        )

    def save(self) -> None:
        """Write this hand into the operator's profile (other hand kept)."""
        if self.calibration is None:
            return
        try:
            self.station.save_glove_calibration(self.operator, self.side, self.calibration)
        except StationError as exc:
            self.status.setText(str(exc))
