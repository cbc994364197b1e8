"""Static files storage for production: WhiteNoise's compressed, hashed manifest storage, with one
tolerance: a source map that a vendored file names but that is not shipped (Bootstrap's minified
files end with `sourceMappingURL=bootstrap.min.css.map`) must not break `collectstatic`.

Django rewrites every `sourceMappingURL` comment to the map's hashed name and fails when the map is
missing. Here that one comment is dropped from the collected copy instead (browsers then do not ask
for a map that is not there), and every other missing reference (a `url(...)` in CSS, an `import`)
still fails the build as it should.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def converter(matchobj):
            if "sourceMappingURL" not in matchobj.group("matched"):
                return convert(matchobj)
            try:
                return convert(matchobj)
            except ValueError:
                logger.info("%s names the source map %s, which is not shipped: reference dropped", name,
                            matchobj.group("url"))  # fmt: skip
                return ""

        return converter
