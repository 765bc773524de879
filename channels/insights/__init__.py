"""Customer-need notes and call recordings: taking notes, the research queue, the insight page."""
