import json

from django.core.management.base import BaseCommand, CommandError

from phoihop.demo.synthetic import generate


class Command(BaseCommand):
    help = "Sinh dữ liệu tổng hợp quy mô lớn (chèn theo lô) để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, required=True)
        parser.add_argument("--subjects", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["dossiers"] < 0 or options["subjects"] < 0:
            raise CommandError("--dossiers và --subjects phải không âm")
        quiet = options["json"]
        counts = generate(
            dossiers=options["dossiers"],
            subjects=options["subjects"],
            seed=options["seed"],
            progress=None if quiet else (lambda m: self.stdout.write(m)),
        )
        self.stdout.write(
            json.dumps(counts)
            if quiet
            else "Đã sinh {dossiers} hồ sơ, {subjects} đối tượng.".format(**counts)
        )
