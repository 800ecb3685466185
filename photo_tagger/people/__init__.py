"""Grouping faces into people (plain functions over embeddings; no store, no models)."""
