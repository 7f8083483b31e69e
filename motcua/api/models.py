"""API tokens for staff scripts and integrations. Only a hash is stored; the token is shown once."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "mc_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("cán bộ"),
    )
    name = models.CharField(_("mục đích"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("gợi ý"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa truy cập API")
        verbose_name_plural = _("khóa truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        token = PREFIX + secrets.token_urlsafe(32)
        obj = cls.objects.create(user=user, name=name, key_hash=hash_token(token), hint=token[:10])
        return obj, token

    @classmethod
    def authenticate(cls, token: str):
        if not token or not token.startswith(PREFIX):
            return None
        obj = (
            cls.objects.filter(key_hash=hash_token(token), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )
        if obj is None or not obj.user.is_active:
            return None
        now = timezone.now()
        if obj.last_used_at is None or (now - obj.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=obj.pk).update(last_used_at=now)  # coarse, to keep reads cheap
        return obj.user
