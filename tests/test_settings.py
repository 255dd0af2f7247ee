"""Settings refuse to start insecurely and switch on the HTTPS protections with DEBUG off.
Each case starts a fresh Python process, because settings are read once at import."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "x9Q-long-random-looking-secret-key-for-tests-only-7fA2"


def run_django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    # A clean environment: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this
    # process, which check --deploy rightly warns about.
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_with_debug_off_and_no_secret_key():
    result = run_django({"DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set. Set SECRET_KEY" in result.stderr


def test_a_bad_boolean_is_refused_with_a_message():
    result = run_django({"DEBUG": "maybe"}, "check")
    assert result.returncode != 0
    assert "DEBUG must be one of 1/0, true/false" in result.stderr


def test_check_deploy_is_clean_with_debug_off_a_key_and_allowed_hosts():
    result = run_django(
        {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "readiness.example.org"},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout


def test_https_protections_can_be_turned_off_behind_a_tls_proxy():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {
        "DEBUG": "0",
        "SECRET_KEY": GOOD_KEY,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_PROXY_SSL_HEADER": "1",
    }
    result = run_django(env, "shell", "--no-imports", "-c", code)
    assert result.stdout.split() == [
        "False",
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_security_headers(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "script-src 'self'",
    ):
        assert directive in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client, council_a):
    client.force_login(council_a.ict_manager)
    for url in (reverse("login"), reverse("assessments:dashboard")):
        html = client.get(url).text
        assert "<script>" not in html
        assert " style=" not in html
        assert "<style" not in html


def test_production_hashes_passwords_slowly_and_refuses_weak_ones():
    """The tests hash with MD5 for speed (tests/conftest.py); production must not."""
    result = run_django(
        {"SECRET_KEY": GOOD_KEY},
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(settings.PASSWORD_HASHERS[0]); "
        "print([v['NAME'].rsplit('.', 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS])",
    )
    assert result.returncode == 0, result.stderr
    hasher, validators = result.stdout.strip().splitlines()[-2:]
    assert hasher == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert validators == (
        "['UserAttributeSimilarityValidator', 'MinimumLengthValidator', "
        "'CommonPasswordValidator', 'NumericPasswordValidator', 'PredictablePasswordValidator']"
    )


def cache_and_database_settings(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import json; from django.conf import settings as s; "
        "d = s.DATABASES['default']; "
        "print(json.dumps({'cache': s.CACHES['default'], 'engine': d['ENGINE'], "
        "'health_checks': d['CONN_HEALTH_CHECKS'], 'options': d.get('OPTIONS', {})}))"
    )
    return run_django({"SECRET_KEY": GOOD_KEY, **env}, "shell", "--no-imports", "-c", code)


def settings_for(env: dict) -> dict:
    result = cache_and_database_settings(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_cache_is_local_memory_unless_cache_url_says_otherwise():
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    assert settings_for({})["cache"] == local
    assert settings_for({"CACHE_URL": ""})["cache"] == local
    assert settings_for({"CACHE_URL": "locmem://"})["cache"] == local


def test_cache_url_db_is_the_database_cache_table():
    assert settings_for({"CACHE_URL": "db://"})["cache"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "readiness_cache",
    }


def test_cache_url_redis_is_djangos_redis_cache(tmp_path):
    # The redis package is optional and not installed here: an empty stand-in lets
    # the settings load as they would with it (nothing connects to Redis).
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "__init__.py").write_text("")
    for url in ("redis://cache.internal:6379/0", "rediss://:secret@cache.internal:6380/1"):
        assert settings_for({"CACHE_URL": url, "PYTHONPATH": str(tmp_path)})["cache"] == {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }


def test_cache_url_redis_without_the_redis_package_says_to_install_it():
    result = cache_and_database_settings({"CACHE_URL": "redis://cache.internal:6379/0"})
    if result.returncode == 0:
        pytest.skip("the redis package is installed here")
    assert "the redis package is not installed" in result.stderr
    assert "pip install redis" in result.stderr


@pytest.mark.parametrize(
    ("url", "told"),
    [
        ("memcached://:hunter2@cache.internal:11211", "but it starts with memcached://."),
        ("cache.internal:6379", "but it has no scheme."),
        ("hunter2@cache.internal", "but it has no scheme."),
    ],
)
def test_an_unknown_cache_url_is_refused_with_a_message_that_hides_the_rest(url, told):
    result = cache_and_database_settings({"CACHE_URL": url})
    assert result.returncode != 0
    assert "CACHE_URL must start with locmem://, db://, redis:// or rediss://" in result.stderr
    assert told in result.stderr
    assert "hunter2" not in result.stderr


def test_broken_database_connections_are_replaced_at_once_on_both_databases():
    sqlite = settings_for({})
    assert (sqlite["engine"], sqlite["health_checks"]) == ("django.db.backends.sqlite3", True)
    postgres = settings_for({"DATABASE_URL": "postgres://app@db.internal:5432/readiness"})
    assert postgres["engine"] == "django.db.backends.postgresql"
    assert postgres["health_checks"] is True
    # And a connection attempt to an unreachable host gives up after 5 seconds, unless
    # the URL says otherwise.
    assert postgres["options"]["connect_timeout"] == 5
    longer = settings_for(
        {"DATABASE_URL": "postgres://app@db.internal:5432/readiness?connect_timeout=20"}
    )
    assert int(longer["options"]["connect_timeout"]) == 20
