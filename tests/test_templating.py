import jinja2
import pytest

from bot import templating


def test_one_environment_per_package_with_the_report_settings():
    env = templating.environment("bot")
    assert env is templating.environment("bot")
    assert env.autoescape is False and env.trim_blocks and env.lstrip_blocks and env.keep_trailing_newline
    assert "rules.md.j2" in env.list_templates()


def test_an_undefined_name_is_an_error_not_silence():
    template = templating.environment("bot").from_string("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()
