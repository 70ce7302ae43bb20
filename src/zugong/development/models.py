"""Models of this app (issue #11)."""
