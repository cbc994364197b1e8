"""The URLconf of bench/http_load.py's server: every project URL, plus two bench-only views served by the
same gunicorn, so they pay the same middleware, workers and machine as the API:

- `bench/bare/`: a tiny JsonResponse, no database (the issue's "bare JSON view on the same server");
- `bench/twin/`: the hand-written 50-row list (bench/twin.py), the API's baseline.
"""

from django.http import JsonResponse
from django.urls import path

from bench.twin import twin
from config.urls import handler400, handler404, handler500  # noqa: F401 (the project's error views)
from config.urls import urlpatterns as project_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), path("bench/twin/", twin), *project_urlpatterns]
