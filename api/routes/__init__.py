"""The service's HTTP routes, one module per audience: ``public`` (verification API, trust list,
health, needing no account) and ``pages`` (the server-rendered verifier pages). Only
``api.app.create_app`` mounts them."""

__all__: list[str] = []
