"""Server-rendered pages under ``/app/``: the plumbing every page feature shares.

Modules (each documents its interface):

- :mod:`api.web.templates` – one Jinja2 environment, ``register_templates``, ``render``,
  ``register_nav``;
- :mod:`api.web.session` – page sessions, ``require_staff`` / ``require_applicant``,
  ``check_csrf``, the page language;
- :mod:`api.web.forms` – validation errors as per-field messages;
- :mod:`api.web.signin` – sign-in, sign-out, ``/app/`` home redirect;
- :mod:`api.web.mount` – ``mount_web(app)`` wires all of it (and the features' routers).
"""
