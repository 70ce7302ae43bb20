"""``zugong``, ``zugong help`` and ``zugong <group> --help`` list Zugong's commands as they are typed."""

from __future__ import annotations

import pytest

from zugong.cli import main


def test_overview_lists_commands_as_typed(capsys):
    main(["zugong"])
    out = capsys.readouterr().out
    for command in ("zugong import orgs", "zugong import roster", "zugong stats party", "zugong audit verify",
                    "zugong setup", "zugong demo"):
        assert command in out
    assert "stats_party" not in out and "import_roster" not in out
    assert ".venv/bin/zugong" in out
    main(["zugong", "help"])
    assert capsys.readouterr().out == out


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_group_help(capsys, flag):
    main(["zugong", "stats", flag])
    out = capsys.readouterr().out
    assert "zugong stats party" in out and "import" not in out


def test_help_for_a_grouped_command(capsys):
    with pytest.raises(SystemExit):
        main(["zugong", "import", "roster", "--help"])
    assert "--dry-run" in capsys.readouterr().out
    main(["zugong", "help", "import", "roster"])
    assert "--dry-run" in capsys.readouterr().out
