"""Test data: sample documents and the code that builds them."""
