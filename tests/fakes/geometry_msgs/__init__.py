"""Fake geometry_msgs (ROS 2 message package): the messages a ManusRawNode holds."""
