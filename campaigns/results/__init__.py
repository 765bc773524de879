"""Programme results: what a campaign achieved against its control group, and how sure we are."""
