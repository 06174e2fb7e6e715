"""The `phoihop` console script: Django's manage.py under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phoihop.settings")
    from django.core.management import execute_from_command_line

    from phoihop.core import context

    # Every audit event a command writes carries this job id.
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    with context.job(command):
        execute_from_command_line(["phoihop", *sys.argv[1:]])


if __name__ == "__main__":
    main()
