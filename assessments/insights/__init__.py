"""Insight across partnerships: what a change of membership would do to a partnership's
readiness (projection.py), and how a partner or partnership compares with anonymised
peers (benchmark.py)."""
