import jinja2
import pytest

from bot.report.jinja_env import environment


def test_one_environment_over_the_one_template_folder_with_the_report_settings():
    env = environment()
    assert env is environment()
    assert env.autoescape is False and env.trim_blocks and env.lstrip_blocks and env.keep_trailing_newline
    assert {"rules.md.j2", "verify.txt.j2", "report.md.j2"} <= set(env.list_templates())


def test_an_undefined_name_is_an_error_not_silence():
    template = environment().from_string("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()
