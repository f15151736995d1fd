"""The API's browsable documentation at ``/docs``, served by the service itself.

FastAPI's own ``/docs`` and ``/redoc`` load Swagger UI and ReDoc from a CDN, which a closed government
network cannot reach (the page stays blank).  Here Swagger UI's files come from the ``fastapi-offline``
package (MIT; it ships the upstream Swagger UI 5 dist, which reads FastAPI's OpenAPI 3.1) and the start-up
script is a file of this service, so the page also keeps the workbench's Content-Security-Policy (no inline
script, nothing from elsewhere).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from fastapi import Request  # at module level: FastAPI reads the handlers' annotations from these globals
from fastapi.responses import HTMLResponse, Response

ASSETS = "/docs/assets"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<noscript>This page needs JavaScript. The API is described without it at <a href="{openapi}">{openapi}</a>.</noscript>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{start}"></script>
</body>
</html>
"""


def install(app: Any) -> None:
    """``/docs`` (the page), ``/docs/start.js`` (its start-up script) and ``/docs/assets/*`` (Swagger UI)."""
    from importlib import resources

    from fastapi.staticfiles import StaticFiles

    files = resources.files("fastapi_offline").joinpath("static")
    app.mount(ASSETS, StaticFiles(directory=str(files)), name="swagger-ui")

    def openapi_url(request: Request) -> str:
        return str(request.scope.get("root_path", "")) + str(app.openapi_url)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", ""))
        return HTMLResponse(_PAGE.format(title=escape(f"{app.title} - API"), assets=escape(root + ASSETS),
                                         openapi=escape(openapi_url(request)), start=escape(root + "/docs/start.js")))

    @app.get("/docs/start.js", include_in_schema=False)
    def start(request: Request) -> Response:
        # validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io
        options = {"url": openapi_url(request), "dom_id": "#swagger-ui", "validatorUrl": None,
                   "deepLinking": True, "persistAuthorization": False, "layout": "BaseLayout"}
        script = (f"const options = {json.dumps(options)};\n"
                  "options.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];\n"
                  "window.ui = SwaggerUIBundle(options);\n")
        return Response(script, media_type="text/javascript")
