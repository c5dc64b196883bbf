"""Fiera's PostgreSQL backend: Django's, with one feature turned off (see ``base``)."""
