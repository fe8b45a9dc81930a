"""Subcommands of the ``kiosk`` CLI: each module has ``register(subparsers)``.

Every module is a thin front over a service in ``kiosk``: it parses arguments, calls the
service, prints. No business rules live here.
"""
