"""`phoihop setup` on the public deployment (see serve.py beside this file)."""

from phoihop.core.management.commands.setup import Command

__all__ = ["Command"]
