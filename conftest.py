"""Collection rules for the whole repository.

``factormodel/serve`` needs the optional ``serve`` extra; without it its doctests
are not collected (``tests/test_serve.py`` then skips and says why).
"""

from __future__ import annotations

import importlib.util

_SERVE_EXTRA = ("fastapi", "uvicorn", "multipart", "jinja2", "fastapi_offline")
collect_ignore_glob = [] if all(importlib.util.find_spec(m) for m in _SERVE_EXTRA) \
    else ["factormodel/serve/*"]
