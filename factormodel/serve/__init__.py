"""``factormodel serve``: an HTTP JSON API for other tools and a web page for people.

Needs the optional extra: ``pip install "factormodel[serve]"`` (FastAPI, uvicorn,
python-multipart, Jinja2, fastapi-offline). The core library never imports this
package.

- :func:`create_app` builds the ASGI app (API under ``/api/v1``, page at ``/``);
- :func:`run` serves it with uvicorn (what ``factormodel serve`` calls).

Routes, schemas, the web page, figures and the framework-free service layer live
in :mod:`.api`, :mod:`.schemas`, :mod:`.web`, :mod:`.figures` and
:mod:`.service`.
"""

from __future__ import annotations

from factormodel.serve.app import API_PREFIX, create_app, run

__all__ = ["API_PREFIX", "create_app", "run"]
