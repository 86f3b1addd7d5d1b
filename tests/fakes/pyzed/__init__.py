"""Fake pyzed (the ZED SDK's Python API, 5.x): the module ``pyzed.sl`` with the names, argument
orders, return conventions (``ERROR_CODE`` returned, not raised) and data layout (BGRA uint8
images, Unix-ns timestamps) the ZED camera backend and the Jetson publisher use.

Which cameras exist and how they misbehave is set through :mod:`pyzed._rig`, the fake's own
test hook, which is not part of pyzed.
"""
