"""No models. The module exists so that Django sends `post_migrate` for this app,
which makes the database cache table when CACHE_URL=db:// (see apps.py)."""
