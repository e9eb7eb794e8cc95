"""Alembic migrations of the store, run programmatically by ``ownergate.store.upgrade``."""
