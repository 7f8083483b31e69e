"""The product's URLs plus /bench/ping: the trivial JSON endpoint the reception benchmark compares with.

It goes through the same server, processes, middleware stack and database connection handling as the
API; only the work of the view differs (no query, a constant answer).
"""

from django.http import JsonResponse
from django.urls import path

from motcua.urls import urlpatterns as product


def ping(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping", ping), *product]
