"""The service's HTTP routes: every router of the app, and nothing but routers. One module per
audience: ``public`` (verification API, trust list, health, needing no account), ``pki`` (the
CRLs at this office's CRL distribution points, ``/pki/<ca>.crl``, no account), ``auth`` (the
OAuth2 password flow and bearer sessions), ``pages`` (the server-rendered verifier pages),
``docs`` (the offline Swagger UI pages), ``applicant`` (with ``applicant_photo`` and
``applicant_preview``), ``clerk`` and ``admin`` (the JSON API behind bearer tokens), and
``web_login``, ``web_applicant`` and ``web_clerk`` (the server-rendered pages over the same use
cases, behind a session cookie). A route parses the request, calls :mod:`api.workflow` and
answers; the response schemas live in :mod:`api.schemas`. Only ``api.app.create_app`` (and
``api.service_api``) mount them."""

__all__: list[str] = []
