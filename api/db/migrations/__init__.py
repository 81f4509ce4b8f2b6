"""Alembic migrations of the service database (env.py, versions/); run them through
``api.db.upgrade(settings)``. A package only so that wheels ship these files."""
