"""The fake of rclpy's C extension: only its error type (a RuntimeError, as in rclpy)."""


class RCLError(RuntimeError):
    """An rcl call failed."""
