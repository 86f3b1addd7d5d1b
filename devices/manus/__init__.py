"""Real Manus glove backends: the MANUS ROS 2 node's topics and the ZMQ bridge wire schema."""
