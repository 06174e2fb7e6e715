"""The `phoihop` console script: Django's manage.py under the project's name.

`--site public`, anywhere among the arguments, runs the command on the public
deployment (settings module phoihop.settings_public): `phoihop serve --site public`,
`phoihop setup --site public`, `phoihop bulletin import FILE --site public`.
"""

import os
import sys

SITES = {"public": "phoihop.settings_public"}


def take_site(argv: list[str]) -> tuple[str | None, list[str]]:
    """The `--site NAME` (or `--site=NAME`) of `argv`, and `argv` without it."""
    site = None
    rest: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--site":
            site = next(args, "")
        elif arg.startswith("--site="):
            site = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return site, rest


def main() -> None:
    site, argv = take_site(sys.argv[1:])
    if site is not None:
        if site not in SITES:
            sys.stderr.write(
                f"--site: không có trang “{site}” (chỉ có: {', '.join(sorted(SITES))}).\n"
            )
            sys.exit(2)
        os.environ["DJANGO_SETTINGS_MODULE"] = SITES[site]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phoihop.settings")
    from django.core.management import execute_from_command_line

    from phoihop.core import context

    # Every audit event a command writes carries this job id.
    command = argv[0] if argv else "help"
    with context.job(command):
        execute_from_command_line(["phoihop", *argv])


if __name__ == "__main__":
    main()
