"""Insights models."""
