from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from motcua.api.models import ApiToken


class Command(BaseCommand):
    help = "Tạo khóa truy cập API cho cán bộ: motcua token create USERNAME [--name MỤC_ĐÍCH]"

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="script")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản '{options['username']}'.")
        _token, raw = ApiToken.issue(user, options["name"])
        self.stdout.write(raw)
