"""gunicorn settings for the load test (bench/peak.sh): the production command's, plus a warm start.

The app is loaded once in the master, and with it what a worker otherwise loads on its first request
while locust is already measuring: the URLconf (whose text-analysis views import scikit-learn and
SciPy: 2-3 s on an idle machine, over 10 s under load) and the Chinese word segmenter's dictionary
(about a second). The forked workers inherit both.
"""

preload_app = True


def when_ready(server):
    from django.urls import get_resolver

    from common.text.segment import tokenizer

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    tokenizer()
