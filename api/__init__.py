"""The outer shell: the command-line interface now, and the FastAPI service, persistence, jobs and
web pages later (issue 5). The only package that may import every other one; nothing imports it.
"""

__all__: list[str] = []
