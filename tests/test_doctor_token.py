"""`pantau doctor` against a Bot API that refuses the token (401) or is not a Bot API at all
(404, a mistyped base URL): one line saying so, and never the token."""

from __future__ import annotations

import pytest

from tests.conftest import TOKEN, bot_env, run_cli, write_config


@pytest.mark.parametrize(
    ("base", "token"),
    [
        ("{fake}", "123456789:AAAnotherTokenTheServerDoesNotKnow_012345"),
        ("{root}/wrong/bot", TOKEN),
    ],
    ids=["401", "404"],
)
def test_doctor_never_prints_the_token(tmp_path, telegram, base, token):
    env = bot_env(tmp_path, telegram, write_config(tmp_path, []))
    root = telegram.base_url.removesuffix("/bot")
    env.update(
        TELEGRAM_API_BASE_URL=base.format(fake=telegram.base_url, root=root),
        TELEGRAM_BOT_TOKEN=token,
    )
    result = run_cli("doctor", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "FAIL bot token: the Bot API refused it or did not answer" in output
    assert "refused the token (401), or that address is not a Bot API (404)" in output
    assert token not in output and token.split(":")[1] not in output
