from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.events import verify_chain, verify_projection
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = (
        "Kiểm tra nhật ký hồ sơ: `motcua audit verify` kiểm tra chuỗi băm của mọi sự kiện và việc trạng "
        "thái hồ sơ dựng lại được từ sự kiện (verify the hash chain and that every dossier is the "
        "projection of its events)."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["verify"])
        parser.add_argument("--code", action="append", help="chỉ kiểm tra các hồ sơ này")
        parser.add_argument("--sample", type=int, help="chỉ kiểm tra N hồ sơ ngẫu nhiên")
        parser.add_argument("--chain-only", action="store_true")

    def handle(self, *args, **options):
        qs = Dossier.objects.order_by("id")
        if options["code"]:
            qs = qs.filter(code__in=options["code"])
        if options["sample"]:
            qs = Dossier.objects.order_by("?")[: options["sample"]]
        checked = 0
        problems: list[str] = []
        for dossier in qs.iterator(chunk_size=500):
            problems.extend(verify_chain(dossier))
            if not options["chain_only"]:
                problems.extend(verify_projection(dossier))
            checked += 1
        for problem in problems[:200]:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} vấn đề trên {checked} hồ sơ đã kiểm tra.")
        self.stdout.write(f"OK: {checked} hồ sơ, chuỗi băm và trạng thái khớp với nhật ký sự kiện.")
