"""Running the service: backup and restore, demo data and the health check."""
