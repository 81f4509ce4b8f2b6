"""The service's HTTP routes, one module per audience: ``public`` (verification API, trust list,
health, needing no account), ``pages`` (the server-rendered verifier pages), ``applicant``,
``clerk`` and ``admin`` (the JSON API behind bearer tokens) and ``web_applicant`` /
``web_clerk`` (the server-rendered pages over the same functions, behind a session cookie).
Only ``api.app.create_app`` mounts them."""

__all__: list[str] = []
