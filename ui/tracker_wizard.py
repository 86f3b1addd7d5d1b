"""Tracker calibration: roles by serial, then tracker-to-robot registration, then save.

Page 1 (roles): capture with both hands down, which lists every tracker the sources see by
serial with its battery (:meth:`app.station.Station.tracker_census`, configured or not), then
with the left hand raised; the roles are suggested from which tracker rose
(:func:`calibration.tracker_roles.suggest_roles`).
Page 2 (registration): the robot, IDLE, moves slowly through the registration poses
(:mod:`calibration.registration_poses`); at each the operator puts their wrists where the
robot's are and captures a pair (every tracker's pose in the universe and the robot's
measured wrist poses), and the robot goes on to the next. Register fits T_base_universe and
each tracker's mount (:func:`calibration.registration.register`) and shows the residual in
mm and degrees. The robot's poses lead, never the operator's: pairs captured while the robot
follows the operator would only give back the registration in force.
Finish saves the station profile, showing what changes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWizard, QWizardPage

from app.station import Station, StationError
from calibration.profiles import StationProfile
from calibration.registration import Registration, RegistrationError, register
from calibration.registration_poses import registration_poses
from calibration.tracker_roles import RoleError, suggest_roles

SIDES = ("left", "right")


class TrackerWizard(QWizard):
    """Assign the wrist trackers and register them to ``station``'s robot."""

    def __init__(self, station: Station) -> None:
        super().__init__()
        self.station = station
        self.setWindowTitle("Tracker calibration")
        self.roles = None
        self.registrations: dict[str, Registration] = {}
        self.saved_changes: list[str] = []
        self._down: dict[str, np.ndarray] = {}
        self._pairs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {s: [] for s in SIDES}
        self.poses = registration_poses()
        self.pose_index = 0
        self.roles_label = QLabel("")
        self.pairs_label = QLabel("0 pairs")
        self.result = QLabel("")
        for label in (self.roles_label, self.pairs_label, self.result):
            label.setWordWrap(True)
        self.addPage(self._page(
            "Which tracker is on which wrist",
            "Let both hands hang down and press Hands down; then raise your LEFT hand high "
            "and press Left raised.",
            [("Hands down", self.capture_down), ("Left raised", self.capture_left_raised)],
            self.roles_label,
        ))  # fmt: skip
        self.addPage(self._page(
            "Register the trackers to the robot",
            "Press Show pose: the robot moves to a pose. When it has stopped, put both wrists "
            "where the robot's are, hold still and press Capture pair; the robot moves to the "
            "next pose. After the last one press Register.",
            [
                ("Show pose", self.show_pose),
                ("Capture pair", self.capture_pair),
                ("Register", self.register),
            ],
            self.pairs_label,
            self.result,
        ))  # fmt: skip
        self.button(QWizard.WizardButton.FinishButton).clicked.connect(self.save)

    def _page(self, title, subtitle, buttons, *labels) -> QWizardPage:
        page = QWizardPage()
        page.setTitle(title)
        page.setSubTitle(subtitle)
        layout = QVBoxLayout(page)
        for text, slot in buttons:
            button = QPushButton(text)
            button.clicked.connect(slot)
            layout.addWidget(button)
        for label in labels:
            layout.addWidget(label)
        return page

    def capture_down(self) -> None:
        census = self.station.tracker_census()
        self._down = census.poses()
        self.roles_label.setText(f"hands down, trackers seen:\n{census.describe()}")

    def capture_left_raised(self) -> None:
        try:
            self.roles = suggest_roles(self._down, self.station.tracker_census().poses())
        except RoleError as exc:
            self.roles_label.setText(str(exc))
            return
        self.roles_label.setText(", ".join(f"{r.serial}: {r.role}" for r in self.roles))

    def show_pose(self) -> None:
        """Move the robot to the current registration pose."""
        if self.pose_index >= len(self.poses):
            self.pairs_label.setText("every pose captured: press Register")
            return
        try:
            self.station.move_to(self.poses[self.pose_index])
        except StationError as exc:
            self.pairs_label.setText(f"{exc}: disengage first")
            return
        self.pairs_label.setText(
            f"pose {self.pose_index + 1} of {len(self.poses)}: when the robot has stopped, "
            "mirror it and press Capture pair"
        )

    def capture_pair(self) -> None:
        """One pose pair per wrist: its tracker (universe) and the robot wrist (base)."""
        body = self.station.bus.latest("body")
        if self.roles is None or body is None:
            self.pairs_label.setText("assign the roles first, with the robot running")
            return
        wrists = self.station.arms.wrist_poses(np.asarray(body.data["arm_position"], float))
        poses = self.station.tracker_poses()
        for role in self.roles:
            side = role.role.removesuffix("_wrist")
            if role.serial in poses:
                self._pairs[side].append((poses[role.serial], wrists[SIDES.index(side)]))
        counts = {side: len(pairs) for side, pairs in self._pairs.items()}
        self.pose_index += 1
        self.show_pose()
        self.pairs_label.setText(f"pairs captured: {counts}. {self.pairs_label.text()}")

    def register(self) -> None:
        """Fit each wrist's pairs; show the residuals."""
        lines = []
        for side, pairs in self._pairs.items():
            if not pairs:
                continue
            trackers, wrists = (np.stack(p) for p in zip(*pairs, strict=True))
            try:
                fit = register(trackers, wrists)
            except RegistrationError as exc:
                lines.append(f"{side}: {exc}")
                continue
            self.registrations[side] = fit
            lines.append(
                f"{side}: residual {fit.residual_mm:.1f} mm, {fit.residual_deg:.2f} deg, "
                f"{fit.outliers} outlier(s) of {len(pairs)}"
            )
        self.result.setText("\n".join(lines) or "capture pairs first")

    def save(self) -> None:
        """Write roles, mounts and the registration (mean of both wrists' fits) to the
        station profile; :attr:`saved_changes` lists what changed."""
        if self.roles is None or not self.registrations:
            return
        old = self.station.station_profile_or_blank()
        fits = list(self.registrations.values())
        best = min(fits, key=lambda fit: fit.residual_mm)
        trackers = [
            role.model_copy(
                update={"tracker_to_wrist": self.registrations[side].tracker_to_wrist.tolist()}
            )
            if (side := role.role.removesuffix("_wrist")) in self.registrations
            else role
            for role in self.roles
        ]
        new = old.model_copy(
            update={
                "robot_from_universe": best.robot_from_universe.tolist(),
                "residual_mm": best.residual_mm,
                "residual_deg": best.residual_deg,
                "trackers": trackers,
            }
        )
        self.saved_changes = self.station.save_station_profile(
            StationProfile.model_validate(new.model_dump())
        )
