"""Errors raised by device backends; names follow the vendors' guard errors."""


class DeviceError(RuntimeError):
    """A device failed: SDK missing, not found, disconnected. The message says how to fix it."""


class CommandRejected(DeviceError):
    """An actuator refused a command (step too large, outside limits); nothing was sent."""


class StaleState(CommandRejected):
    """The actuator's measured state is too old to command against (dexcontrol: 0.5 s)."""


class EStopActive(CommandRejected):
    """The actuator's emergency stop is engaged; reads still work, commands are refused."""
