"""Template tags of the CVM side."""
