"""Application services: decisions, overrides, policies and replay over the store and core."""
