"""`phoihop serve` on the public deployment, which has no phoihop.core app installed.

The back office's core app comes first in its INSTALLED_APPS, so there its own
command (the same class) is the one Django runs.
"""

from phoihop.core.management.commands.serve import Command

__all__ = ["Command"]
