"""Self-learning propensity: the refresh from outcomes, the per-process snapshot decisions read, and its admin."""
