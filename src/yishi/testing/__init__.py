"""Test doubles that behave like the real services, over real protocols (not mocks)."""
