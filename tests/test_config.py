"""Settings from environment variables: safe defaults, one clear line for each bad value,
and a secret key generated once into var/ (mode 0600), never a constant."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from grihaseva.config import ConfigError, DatabaseUrl, Settings

KEY = "k" * 40


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.database == DatabaseUrl(dialect="sqlite", path="var/grihaseva.db")
    assert settings.env == "production" and not settings.development
    assert settings.base_url == "http://127.0.0.1:8000"
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password) == ("", 25, "", "")
    assert settings.smtp_starttls is False
    assert settings.mail_from == "GrihaSeva <no-reply@grihaseva.example>"
    assert settings.bcrypt_rounds == 12
    assert (settings.redis_url, settings.events_poll_ms) == ("", 200)  # no Redis needed: poll only
    assert settings.var_dir == Path("var")
    assert (tmp_path / "var" / "secret_key").read_text() == settings.secret_key


def test_empty_values_mean_the_default(tmp_path):
    settings = Settings.from_env({
        "GRIHASEVA_VAR_DIR": str(tmp_path), "GRIHASEVA_DATABASE_URL": "", "GRIHASEVA_SECRET_KEY": "",
        "GRIHASEVA_SMTP_PORT": "", "GRIHASEVA_SMTP_STARTTLS": "", "GRIHASEVA_MAIL_FROM": "", "GRIHASEVA_BCRYPT_ROUNDS": "",
    })
    assert settings.database.path == f"{tmp_path}/grihaseva.db"
    assert (settings.smtp_port, settings.smtp_starttls, settings.bcrypt_rounds) == (25, False, 12)
    assert settings.mail_from == "GrihaSeva <no-reply@grihaseva.example>"


def test_every_setting_is_read_from_the_environment(tmp_path):
    settings = Settings.from_env({
        "GRIHASEVA_DATABASE_URL": "mysql://shop:p%40ss@db.internal:3307/grihaseva",
        "GRIHASEVA_SECRET_KEY": KEY, "GRIHASEVA_ENV": "Development", "GRIHASEVA_BASE_URL": "https://grihaseva.example/",
        "GRIHASEVA_SMTP_HOST": "smtp.example", "GRIHASEVA_SMTP_PORT": "587", "GRIHASEVA_SMTP_USER": "mailer",
        "GRIHASEVA_SMTP_PASSWORD": "pw", "GRIHASEVA_SMTP_STARTTLS": "yes", "GRIHASEVA_MAIL_FROM": "Seva <seva@example.com>",
        "GRIHASEVA_BCRYPT_ROUNDS": "13", "GRIHASEVA_VAR_DIR": str(tmp_path),
    })
    assert settings.database == DatabaseUrl(dialect="mysql", host="db.internal", port=3307, user="shop",
                                            password="p@ss", database="grihaseva")
    assert settings.secret_key == KEY
    assert settings.development
    assert settings.base_url == "https://grihaseva.example"
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password) == ("smtp.example", 587, "mailer", "pw")
    assert settings.smtp_starttls is True
    assert settings.mail_from == "Seva <seva@example.com>"
    assert settings.bcrypt_rounds == 13
    assert not (tmp_path / "secret_key").exists()  # a key from the environment is not written anywhere


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///var/app.db", DatabaseUrl(dialect="sqlite", path="var/app.db")),
    ("sqlite:////srv/grihaseva/app.db", DatabaseUrl(dialect="sqlite", path="/srv/grihaseva/app.db")),
    ("mysql://root@127.0.0.1/grihaseva", DatabaseUrl(dialect="mysql", database="grihaseva")),
    ("mariadb://u:p@h:3310/d", DatabaseUrl(dialect="mysql", host="h", port=3310, user="u", password="p", database="d")),
])
def test_database_urls(url, expected):
    assert DatabaseUrl.parse(url) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("GRIHASEVA_DATABASE_URL", "postgres://db/grihaseva",
     "GRIHASEVA_DATABASE_URL: unknown scheme 'postgres'; use sqlite:///PATH or mysql://USER:PASS@HOST:PORT/DB"),
    ("GRIHASEVA_DATABASE_URL", "grihaseva.db", "GRIHASEVA_DATABASE_URL: unknown scheme"),
    ("GRIHASEVA_DATABASE_URL", "sqlite://", "GRIHASEVA_DATABASE_URL: give a file"),
    ("GRIHASEVA_DATABASE_URL", "mysql://root@127.0.0.1:3306/", "GRIHASEVA_DATABASE_URL: name the database"),
    ("GRIHASEVA_DATABASE_URL", "mysql://root@127.0.0.1:port/db", "GRIHASEVA_DATABASE_URL: the port is not a number"),
    ("GRIHASEVA_DATABASE_URL", "mysql://root@127.0.0.1:99999/db", "GRIHASEVA_DATABASE_URL: the port is not a number"),
    ("GRIHASEVA_SECRET_KEY", "too-short", "GRIHASEVA_SECRET_KEY: use at least 32 random characters"),
    ("GRIHASEVA_ENV", "staging", "GRIHASEVA_ENV: expected development or production, got 'staging'"),
    ("GRIHASEVA_BASE_URL", "grihaseva.example", "GRIHASEVA_BASE_URL: expected an http(s) URL"),
    ("GRIHASEVA_SMTP_PORT", "smtp", "GRIHASEVA_SMTP_PORT: expected a whole number, got 'smtp'"),
    ("GRIHASEVA_SMTP_PORT", "0", "GRIHASEVA_SMTP_PORT: must be between 1 and 65535, got 0"),
    ("GRIHASEVA_SMTP_PORT", "65536", "GRIHASEVA_SMTP_PORT: must be between 1 and 65535, got 65536"),
    ("GRIHASEVA_SMTP_STARTTLS", "maybe", "GRIHASEVA_SMTP_STARTTLS: expected true or false, got 'maybe'"),
    ("GRIHASEVA_BCRYPT_ROUNDS", "3", "GRIHASEVA_BCRYPT_ROUNDS: must be between 4 and 16, got 3"),
    ("GRIHASEVA_BCRYPT_ROUNDS", "twelve", "GRIHASEVA_BCRYPT_ROUNDS: expected a whole number, got 'twelve'"),
    ("GRIHASEVA_REDIS_URL", "127.0.0.1:6379", "GRIHASEVA_REDIS_URL: expected redis://HOST:PORT/0"),
    ("GRIHASEVA_GRIP_URL", "127.0.0.1:5561", "GRIHASEVA_GRIP_URL: expected an http(s) URL"),
    ("GRIHASEVA_EVENTS_POLL_MS", "5", "GRIHASEVA_EVENTS_POLL_MS: must be between 10 and 60000, got 5"),
])
def test_each_bad_value_is_one_clear_line(tmp_path, name, value, message):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"GRIHASEVA_VAR_DIR": str(tmp_path), name: value})
    line = str(raised.value)
    assert line.startswith(message)
    assert "\n" not in line


def test_a_var_dir_that_cannot_be_written_is_one_clear_line(tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"GRIHASEVA_VAR_DIR": str(tmp_path / "a-file" / "var")})
    line = str(raised.value)
    assert line.startswith(f"GRIHASEVA_SECRET_KEY is unset and {tmp_path}/a-file/var/secret_key cannot be used")
    assert "\n" not in line


def test_the_secret_key_is_generated_once_into_var_with_mode_0600_and_reused(tmp_path):
    var = tmp_path / "var"
    first = Settings.from_env({"GRIHASEVA_VAR_DIR": str(var)})
    key_file = var / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 64
    assert key_file.read_text() == first.secret_key
    assert [path.name for path in var.iterdir()] == ["secret_key"]  # no drafts left behind
    assert Settings.from_env({"GRIHASEVA_VAR_DIR": str(var)}).secret_key == first.secret_key


def test_the_generated_key_is_random_never_a_constant(tmp_path):
    keys = {Settings.from_env({"GRIHASEVA_VAR_DIR": str(tmp_path / str(n))}).secret_key for n in range(3)}
    assert len(keys) == 3


def test_an_empty_key_file_is_refused_rather_than_signing_with_an_empty_key(tmp_path):
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"GRIHASEVA_VAR_DIR": str(tmp_path)})
    assert str(raised.value) == (f"GRIHASEVA_SECRET_KEY is unset and {tmp_path}/secret_key holds no usable key; "
                                 "delete the file to make a new one")
