"""The identity app's pages: signing in, the second factor, and people awaiting a role."""
