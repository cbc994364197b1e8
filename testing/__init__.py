"""Test support shared by every app's tests: service-driven factories (the root conftest.py holds the personas)."""
