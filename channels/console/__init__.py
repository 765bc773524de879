"""The agent console: look-up, screen-pop, next-best-offers, outcomes and feedback."""
