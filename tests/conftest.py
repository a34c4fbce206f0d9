"""Suite-wide settings: the parse cache of every run under test lives in a temporary directory.

Set in the environment (not a fixture) so the CLI run as a subprocess inherits it too; concurrent xdist
workers share it, which is the concurrency the cache is built for.
"""

import os
import tempfile

os.environ.setdefault("MODELGATE_CACHE_DIR", tempfile.mkdtemp(prefix="modelgate-test-cache-"))
