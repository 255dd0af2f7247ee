"""The readiness framework as data: the YAML file and the loader that stores it as
framework versions."""
