from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.workflow.definition import ProcessError
from motcua.workflow.loader import export_process, import_process
from motcua.workflow.models import ProcessDefinition


class Command(BaseCommand):
    help = (
        "Quy trình nội bộ: `motcua process export CODE [--number N] [-o FILE]`, "
        "`motcua process import FILE [--publish]`, `motcua process list`."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["export", "import", "list"])
        parser.add_argument("target", nargs="?")
        parser.add_argument("--number", type=int, help="phiên bản cần xuất")
        parser.add_argument("-o", "--output")
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, **options):
        verb, target = options["verb"], options["target"]
        if verb == "list":
            for d in ProcessDefinition.objects.order_by("code", "number"):
                self.stdout.write(f"{d.code}\tv{d.number}\t{d.status}\t{d.name}")
            return
        if not target:
            raise CommandError("Thiếu mã quy trình (export) hoặc đường dẫn tệp (import).")
        if verb == "export":
            qs = ProcessDefinition.objects.filter(code=target)
            definition = (
                qs.filter(number=options["number"]) if options["number"] else qs.order_by("-number")
            ).first()
            if definition is None:
                raise CommandError(f"Không có quy trình '{target}'.")
            text = export_process(definition)
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        path = Path(target)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Không đọc được {path}: {exc}") from None
        try:
            definition, created = import_process(text, source=str(path), publish_now=options["publish"])
        except ProcessError as exc:
            raise CommandError(f"{path}: quy trình không hợp lệ:\n- " + "\n- ".join(exc.problems)) from None
        state = "tạo phiên bản mới" if created else "không thay đổi"
        self.stdout.write(f"{definition.code} v{definition.number} ({definition.status}): {state}")
