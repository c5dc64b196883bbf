"""Verifiable credentials (placeholder)."""
