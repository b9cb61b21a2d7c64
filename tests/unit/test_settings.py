"""Settings from the seed's environment variables: working defaults, clear errors."""

from __future__ import annotations

import pytest

from xget.settings import Settings, SettingsError


def test_defaults_point_at_the_local_stack() -> None:
    s = Settings.from_env({})
    assert s.postgres_dsn == "postgresql://xget:xget@127.0.0.1:5432/xget"
    assert s.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert s.mongodb_database == "xget"
    assert s.kafka_partitions == 12
    assert (s.api_host, s.api_port) == ("127.0.0.1", 8003)


def test_external_services_are_configuration_only() -> None:
    s = Settings.from_env({
        "POSTGRES_SERVER": "db.internal:6432", "POSTGRES_USER": "svc", "POSTGRES_PASSWORD": "p@ss word",
        "POSTGRES_DB": "collect", "MONGODB_URL": "mongodb://mongo-1:27017,mongo-2:27017/results?replicaSet=rs0",
        "KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092", "KAFKA_TOPIC_TASKS": "tasks", "KAFKA_TOPIC_RESULTS": "results",
        "ACCOUNT_SERVICE_URL": "http://accounts:8000", "PROXY_SERVICE_URL": "https://proxies",
        "REDIS_URL": "redis://cache:6379/0",
    })
    assert s.postgres_dsn == "postgresql://svc:p%40ss%20word@db.internal:6432/collect"
    assert s.mongodb_database == "results"
    assert s.account_service_url == "http://accounts:8000"


@pytest.mark.parametrize(("env", "variable"), [
    ({"POSTGRES_PORT": "eighty"}, "POSTGRES_PORT"),
    ({"POSTGRES_PORT": "70000"}, "POSTGRES_PORT"),
    ({"POSTGRES_USER": " "}, "POSTGRES_USER"),
    ({"MONGODB_URL": "http://localhost"}, "MONGODB_URL"),
    ({"KAFKA_BOOTSTRAP_SERVERS": "localhost"}, "KAFKA_BOOTSTRAP_SERVERS"),
    ({"KAFKA_TOPIC_TASKS": "bad topic!"}, "KAFKA_TOPIC_TASKS"),
    ({"ACCOUNT_SERVICE_URL": "accounts:8000"}, "ACCOUNT_SERVICE_URL"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ({"XGET_AUTH_MODE": "magic"}, "XGET_AUTH_MODE"),
    ({"XGET_ALLOW_INSECURE_BIND": "maybe"}, "XGET_ALLOW_INSECURE_BIND"),
])
def test_invalid_settings_fail_at_start_naming_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(env)


def test_secrets_are_masked_when_settings_are_shown() -> None:
    shown = Settings.from_env({"POSTGRES_PASSWORD": "hunter2"}).redacted()
    assert shown["POSTGRES_PASSWORD"] == "***"
    assert "hunter2" not in repr(shown)


def test_without_authentication_the_api_answers_only_to_this_machines_names() -> None:
    assert Settings.from_env({}).allowed_hosts == {"localhost", "127.0.0.1", "::1"}
    assert Settings.from_env({"XGET_ALLOWED_HOSTS": "api.internal, [fd00::1]"}).allowed_hosts == {
        "localhost", "127.0.0.1", "::1", "api.internal", "fd00::1"}
    assert Settings.from_env({"XGET_AUTH_MODE": "api_key"}).allowed_hosts is None  # keys guard it
    assert Settings.from_env({"XGET_ALLOWED_HOSTS": "*"}).allowed_hosts is None
