"""The operation registry: query id, method, default variables, features and field toggles of
every GraphQL operation the engine calls.

X rotates query ids and feature flags every few weeks, so they live in ``operations.json``
(shipped with the package) and can be overridden by a file of the same shape named by
``XGET_X_OPERATIONS_FILE``: an override replaces the top-level values it gives, the feature sets
it names, and, per operation, the keys it gives.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

ENV_OPERATIONS_FILE = "XGET_X_OPERATIONS_FILE"
PACKAGED = "xget/x/operations.json"


class Operation(msgspec.Struct, frozen=True, kw_only=True):
    """One GraphQL operation as the web client calls it."""

    name: str
    query_id: str
    method: str = "GET"
    variables: dict[str, Any] = {}
    features: dict[str, bool] = {}
    field_toggles: dict[str, bool] = {}

    @property
    def path(self) -> str:
        """The URL path under the GraphQL base URL: ``/{queryId}/{OperationName}``."""
        return f"/{self.query_id}/{self.name}"

    def build_variables(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The operation's default variables overlaid with the call's (None values dropped)."""
        merged = dict(self.variables)
        merged.update({k: v for k, v in variables.items() if v is not None})
        return merged


class OperationRegistry(msgspec.Struct, frozen=True, kw_only=True):
    """Every configured operation plus the web client's bearer token and default base URL."""

    operations: dict[str, Operation]
    bearer_token: str
    base_url: str
    source: str
    """Where the configuration came from (named in "operation outdated" errors)."""

    def get(self, name: str) -> Operation:
        """The operation called ``name``; KeyError names the config when it is missing."""
        try:
            return self.operations[name]
        except KeyError:
            raise KeyError(f"operation {name!r} is not configured in {self.source}") from None


def _read_packaged() -> dict[str, Any]:
    text = resources.files("xget.x").joinpath("operations.json").read_text(encoding="utf-8")
    return json.loads(text)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key in ("bearer_token", "base_url"):
        if key in override:
            out[key] = override[key]
    out["feature_sets"] = {**base.get("feature_sets", {}), **override.get("feature_sets", {})}
    ops = {name: dict(op) for name, op in base.get("operations", {}).items()}
    for name, op in override.get("operations", {}).items():
        ops[name] = {**ops.get(name, {}), **op}
    out["operations"] = ops
    return out


def _features(spec: Any, sets: Mapping[str, Mapping[str, bool]], op: str) -> dict[str, bool]:
    # "features" is an inline map, or the name(s) of feature sets merged in order.
    if isinstance(spec, Mapping):
        return dict(spec)
    names = [spec] if isinstance(spec, str) else list(spec or [])
    merged: dict[str, bool] = {}
    for name in names:
        if name not in sets:
            raise ValueError(f"operation {op}: unknown feature set {name!r}")
        merged.update(sets[name])
    return merged


def build_registry(config: Mapping[str, Any], source: str) -> OperationRegistry:
    """Build a registry from a parsed configuration document."""
    sets = config.get("feature_sets", {})
    ops = {}
    for name, spec in config.get("operations", {}).items():
        if not spec.get("query_id"):
            raise ValueError(f"operation {name}: query_id is required ({source})")
        ops[name] = Operation(
            name=name,
            query_id=spec["query_id"],
            method=spec.get("method", "GET").upper(),
            variables=dict(spec.get("variables", {})),
            features=_features(spec.get("features"), sets, name),
            field_toggles=dict(spec.get("field_toggles", {})),
        )
    return OperationRegistry(
        operations=ops,
        bearer_token=config.get("bearer_token", ""),
        base_url=config.get("base_url", "https://x.com/i/api/graphql"),
        source=source,
    )


def load_operations(path: str | os.PathLike[str] | None = None,
                    env: Mapping[str, str] | None = None) -> OperationRegistry:
    """The packaged registry, overridden by ``path`` or else by ``$XGET_X_OPERATIONS_FILE``."""
    env = os.environ if env is None else env
    config = _read_packaged()
    override = path if path is not None else env.get(ENV_OPERATIONS_FILE) or None
    source = PACKAGED
    if override is not None:
        with Path(override).open(encoding="utf-8") as fh:
            config = _merge(config, json.load(fh))
        source = f"{override} (over {PACKAGED})"
    return build_registry(config, source)
