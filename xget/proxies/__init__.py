"""Proxies: the port the engine leases proxies through, and its adapters.

``port`` defines the lease/release contract, ``http`` talks to the proxy service at
``PROXY_SERVICE_URL`` (contract in docs/accounts-and-proxies.md), ``static`` serves a list read
from a JSON file (or a direct connection when the list is empty), ``factory`` picks one.
"""
