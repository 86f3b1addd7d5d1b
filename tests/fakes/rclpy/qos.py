"""rclpy.qos.QoSProfile: history depth only."""


class QoSProfile:
    def __init__(self, *, depth=10, **kwargs) -> None:
        self.depth = depth
