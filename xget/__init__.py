"""XGet: the collection core for public X (Twitter) data.

Layers (see README.md, "Architecture"):

* ``xget.events``      pure msgspec event types, no I/O
* ``xget.commands``    command types and the handlers that decide which events happen
* ``xget.projections`` read models built from the event store
* ``xget.api``         thin Litestar controllers
* ``xget.workers``     Faust agents that execute collection tasks
* adapters: ``xget.eventstore`` (PostgreSQL), ``xget.outbox`` (relay to Kafka), ``xget.x`` (X client),
  ``xget.accounts`` and ``xget.proxies`` (sibling services)

``xget.bootstrap`` is the one composition root that builds the object graph from settings.
"""

__version__ = "0.1.0"
