"""Alembic migrations of the petitionkit SQL schema (run them with ``petitionkit db upgrade``)."""
