"""Pure retargeting math: robot models, arm IK, hand retargeting, filters, safety filter."""
