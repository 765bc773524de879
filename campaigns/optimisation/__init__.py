"""Channel optimisation: cost-to-serve against preference by segment, the what-if, and the support-routing policy."""
