from suggestions.tests.conftest import _media_in_tmp, cast  # noqa: F401  (the shared cast of personas)
