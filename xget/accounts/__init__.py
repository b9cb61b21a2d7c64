"""X accounts: the port the engine leases accounts through, and its adapters.

``port`` defines the lease/release contract, ``http`` talks to the account service at
``ACCOUNT_SERVICE_URL`` (contract in docs/accounts-and-proxies.md), ``static`` serves a pool
read from a JSON file for standalone use, and ``factory`` picks one from the environment.
"""
