"""Webhook signatures: the header format, verification, and what verification refuses."""

from __future__ import annotations

import hashlib
import hmac

from xget.alerts.signing import new_secret, sign, signature_header, verify_signature

SECRET = "s3cret-s3cret-s3cret"
BODY = b'{"id": "d1", "event": "task.failed"}'


def test_the_header_is_a_timestamp_and_a_hex_hmac_of_timestamp_dot_body() -> None:
    header = signature_header(SECRET, BODY, timestamp=1_700_000_000)
    t, v1 = header.split(",")
    assert t == "t=1700000000"
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert v1 == f"v1={expected}"
    assert sign(SECRET, 1_700_000_000, BODY) == expected


def test_a_fresh_signature_verifies() -> None:
    header = signature_header(SECRET, BODY, timestamp=1_700_000_000)
    assert verify_signature(SECRET, header, BODY, now=1_700_000_010)


def test_a_changed_body_another_secret_or_an_old_timestamp_do_not_verify() -> None:
    header = signature_header(SECRET, BODY, timestamp=1_700_000_000)
    assert not verify_signature(SECRET, header, BODY + b" ", now=1_700_000_000)
    assert not verify_signature("another-secret-entirely", header, BODY, now=1_700_000_000)
    assert not verify_signature(SECRET, header, BODY, now=1_700_000_000 + 301)
    assert not verify_signature(SECRET, header, BODY, now=1_700_000_000 - 301)
    assert verify_signature(SECRET, header, BODY, tolerance=3600, now=1_700_000_000 + 301)


def test_a_replayed_signature_with_a_new_timestamp_does_not_verify() -> None:
    old = signature_header(SECRET, BODY, timestamp=1_700_000_000)
    forged = old.replace("t=1700000000", "t=1700000500")
    assert not verify_signature(SECRET, forged, BODY, now=1_700_000_500)


def test_malformed_headers_are_refused() -> None:
    for header in ("", "garbage", "t=abc,v1=00", "v1=00", "t=1700000000", "t=1700000000;v1=00", "t=-1,v1=00"):
        assert not verify_signature(SECRET, header, BODY, now=1_700_000_000), header


def test_any_v1_of_several_may_match_for_secret_rotation() -> None:
    good = signature_header(SECRET, BODY, timestamp=1_700_000_000)
    header = f"t=1700000000,v1={'0' * 64},{good.split(',')[1]}"
    assert verify_signature(SECRET, header, BODY, now=1_700_000_000)


def test_generated_secrets_are_long_and_distinct() -> None:
    secrets = {new_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(s.startswith("whsec_") and len(s) >= 40 for s in secrets)
