"""Inbox models."""
