"""Alerts models."""
