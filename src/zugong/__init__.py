"""Zugong 组工 — organization & personnel management system."""

__version__ = "0.1.0"
