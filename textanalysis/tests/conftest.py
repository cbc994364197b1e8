from suggestions.tests.conftest import Cast, _fast_hasher, _media_in_tmp, cast  # noqa: F401
