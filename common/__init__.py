"""Plumbing shared by the apps; no models, no domain rules."""
