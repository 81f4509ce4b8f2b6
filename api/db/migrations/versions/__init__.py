"""Alembic revision scripts, one per schema change, oldest first (0001_initial_schema)."""
