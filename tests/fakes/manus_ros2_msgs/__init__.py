"""Fake manus_ros2_msgs, the MANUS ROS 2 node's message package."""
