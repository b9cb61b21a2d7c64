"""OpenAPI extras: per-type parameter schemas and request examples for every task type."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.spec import Components, Example, Schema

from xget.commands.params import PARAMS_BY_TYPE, PARAMS_EXAMPLES

CREATE_EXAMPLES = [
    Example(
        summary=task_type.value,
        value={
            "task_name": f"{task_type.value.lower()} example",
            "task_type": task_type.value,
            "parameters": PARAMS_EXAMPLES[task_type],
            "user_id": "user123",
        },
    )
    for task_type in PARAMS_BY_TYPE
]
SEED_EXAMPLE = {
    "task_name": "采集埃隆马斯克推文",
    "describe": "采集埃隆马斯克最新50条推文，不包含回复和转发",
    "task_type": "USER_TWEETS",
    "parameters": {"username": "elonmusk", "limit": 50, "include_replies": False, "include_retweets": False},
    "account_id": "your-account-id",
    "proxy_id": "your-proxy-id",
    "user_id": "your-user-id",
}
"""The original specification's curl example, as written (README, tests and the API docs use it)."""
CREATE_EXAMPLES.insert(0, Example(summary="Seed example: Elon Musk's latest 50 posts", value=SEED_EXAMPLE))


def parameter_components() -> Components:
    """Components holding one schema per task type's parameters, with an example each."""
    schemas, components = msgspec.json.schema_components(list(PARAMS_BY_TYPE.values()),
                                                         ref_template="#/components/schemas/{name}")
    out: dict[str, Schema] = {}
    for task_type, cls in PARAMS_BY_TYPE.items():
        raw = dict(components[cls.__name__])
        raw["examples"] = [PARAMS_EXAMPLES[task_type]]
        raw["description"] = f"parameters of {task_type.value}: " + (cls.__doc__ or "").strip()
        out[cls.__name__] = Schema(
            type=raw.get("type"), title=raw.get("title"), description=raw["description"],
            properties={k: _property(v, components) for k, v in raw.get("properties", {}).items()},
            required=raw.get("required"), examples=raw["examples"],
        )
    return Components(schemas=out)


def _property(raw: dict[str, Any], components: dict[str, Any]) -> Schema:
    if "$ref" in raw:
        raw = {**components[raw["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in raw.items() if k != "$ref"}}
    keep = {k: v for k, v in raw.items() if k in {"type", "description", "minimum", "maximum", "pattern",
                                                   "format", "enum", "default", "examples", "minLength",
                                                   "maxLength"}}
    if "anyOf" in raw:
        keep["one_of"] = [_property(r, components) for r in raw["anyOf"]]
    mapping = {"minLength": "min_length", "maxLength": "max_length"}
    return Schema(**{mapping.get(k, k): v for k, v in keep.items()})


def add_parameter_schemas(app: Any) -> None:
    """Put the per-type parameter schemas into the app's OpenAPI document and make
    TaskCreate/TaskUpdate.parameters a oneOf of them (Litestar regenerates components from the
    route types, so this runs at startup on the built document)."""
    from litestar._openapi.plugin import OpenAPIPlugin  # Litestar exposes the document only here
    from litestar.openapi.spec import Reference

    openapi = app.plugins.get(OpenAPIPlugin).provide_openapi()
    extra = parameter_components().schemas or {}
    schemas = openapi.components.schemas
    schemas.update(extra)
    refs = [Reference(ref=f"#/components/schemas/{name}") for name in extra]
    for body in ("TaskCreate", "TaskUpdate"):
        target = schemas.get(body)
        if target is not None and target.properties and "parameters" in target.properties:
            described = target.properties["parameters"]
            target.properties["parameters"] = Schema(
                one_of=refs, description=getattr(described, "description", None)
            )
