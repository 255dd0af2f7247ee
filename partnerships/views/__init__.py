"""Pages of the partnerships app."""
