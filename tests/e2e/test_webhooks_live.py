"""Alerts end to end: a task that fails in a real worker against the sandbox delivers a signed
webhook, sent by the live projector to a receiver in this test."""

from __future__ import annotations

import json
import uuid

import httpx

from tests.e2e.flows import start, wait_execution
from tests.integration.alerts.receiver import Receiver
from xget.alerts.signing import verify_signature

SECRET = "e2e-webhook-secret-0123"


async def test_a_failing_task_delivers_a_signed_webhook(api: httpx.AsyncClient) -> None:
    receiver = await Receiver().start()
    try:
        user = f"e2e-hooks-{uuid.uuid4().hex[:6]}"
        hook = await api.post("/api/v1/webhooks", json={"url": receiver.url, "user_id": user, "secret": SECRET,
                                                        "events": ["task.failed"]})
        assert hook.status_code == 201, hook.text
        task = await start(api, {"task_name": "nobody", "task_type": "USER_INFO",
                                 "parameters": {"username": "ghost"}, "user_id": user})
        failed = await wait_execution(api, task["execution_id"], timeout=30)
        assert failed["status"] == "FAILED" and failed["error_class"] == "target_not_found", failed

        (request,) = await receiver.wait_for(1, timeout=15)
        assert request.headers["x-xget-event"] == "task.failed"
        assert verify_signature(SECRET, request.headers["x-xget-signature"], request.body)
        body = json.loads(request.body)
        assert body["id"] == request.headers["x-xget-delivery"]
        assert body["data"]["task_id"] == task["id"] and body["data"]["execution_id"] == task["execution_id"]
        assert body["data"]["error_class"] == "target_not_found" and body["data"]["user_id"] == user

        deliveries = (await api.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries")).json()["items"]
        assert [(d["id"], d["status"]) for d in deliveries] in ([(body["id"], "delivered")], [(body["id"], "pending")])
    finally:
        await receiver.close()
