"""Ledger models."""
