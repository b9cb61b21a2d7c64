"""The sandbox: a synthetic X (web GraphQL API) and sandbox account and proxy services.

No machine here reaches X, so ``xget sandbox x`` serves X's GraphQL shapes from a deterministic
world built from a seed, with rate limits and injected faults; ``xget sandbox accounts`` and
``xget sandbox proxies`` implement docs/accounts-and-proxies.md. See docs/sandbox.md.
"""
