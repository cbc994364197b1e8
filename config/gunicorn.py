"""gunicorn settings, read by the image's command (Dockerfile: `-c config/gunicorn.py`) and the load test.

The bind address and the number of workers stay on the command line. What this file adds is a warm
start: the app is loaded once in the master, and with it what a worker would otherwise load on its first
request, while people are waiting: the URLconf (whose text-analysis views import scikit-learn and SciPy:
2-3 s on an idle machine, over 10 s on a loaded one, in every worker after every start or restart) and
the Chinese word segmenter's dictionary (about a second). The forked workers inherit both.

Then everything loaded so far is frozen out of the cycle collector (`gc.freeze()`): those objects
live as long as the process, and a full collection walking them (about 100,000 after start-up)
took 30-40 ms, paid by whichever request it fell in; it also keeps the collector from touching,
and so copying, the pages the workers share with the master.
"""

import gc

preload_app = True


def when_ready(server):
    from django.db import connections
    from django.urls import get_resolver

    from common.text.segment import tokenizer

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    tokenizer()
    # Nothing above should have opened a connection; if something did, the workers must not share its socket.
    connections.close_all()
    gc.freeze()
