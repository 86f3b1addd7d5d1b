"""rclpy.exceptions: the ones the fake raises."""


class NotInitializedException(Exception):
    def __init__(self, *args):
        Exception.__init__(self, "rclpy.init() has not been called", *args)


class NameValidationException(Exception):
    pass


class InvalidNodeNameException(NameValidationException):
    pass


class InvalidTopicNameException(NameValidationException):
    pass
