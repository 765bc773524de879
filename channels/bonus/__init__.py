"""Bonus plans: periods, arithmetic, statements, cancellations, the simulator, agencies, views."""
