"""The X collection engine: operations config, GraphQL client, parsers, pagination, sessions.

Modules (lowest layer first): ``records`` and ``errors`` (what the rest of the system sees),
``schema`` (wire shapes), ``users``/``tweets``/``timeline``/``page`` (parsing),
``operations`` (the query-id registry), ``collect`` (pagination per task type), ``client``,
``transaction``, ``ratelimits`` and ``session`` (talking to X with leased accounts and proxies).
"""
