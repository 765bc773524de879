"""Template helpers of the delivery side."""
