"""How every command presents itself: `--help` without typer's type placeholders (`<bool>`,
`<list[str]>`, `{paths}...`), and a usage error (`--jobs abc`, a missing argument) as one line.

typer 0.29 prints a `<type>` for every parameter, flags and --help included, and wraps required
arguments in braces. Our option types (options.py) name what a value is with a metavar (`N`,
`SECONDS`, `DATE`, `URL`); this command class gives flags no placeholder and arguments click's
plain form (`PORTAL`, `PATHS...`, optional ones in brackets). It relies on typer's help internals
(`display_type_rich`, `metavar`), hence the pin `typer>=0.29,<0.30` in pyproject.toml; the test in
tests/test_cli_consistency.py fails if a placeholder comes back.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer import Abort, rich_utils
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from scraper.cli.options import err

# A value option without its own metavar: click's plain names instead of typer's `<type>`.
_PLAIN = {"<int>": "N", "<float>": "NUMBER", "<str>": "TEXT", "<path>": "PATH"}


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None  # the name (PORTAL) says it; a type column would repeat `<str>`


def _argument_label(param: TyperArgument) -> str:
    label = param.metavar or (param.name or "").upper()
    return label if param.nargs == 1 or label.endswith("...") else f"{label}..."


class Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _tidy(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            _tidy(option)
        return option

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                label = _argument_label(param)
                pieces.append(label if param.required else f"[{label}]")
        return pieces


class Group(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _tidy(param)

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """typer's own main, but a usage error is one line (`error: ...`, exit 2), not a panel."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except NoArgsIsHelpError as exc:
            rich_utils.rich_format_error(exc)  # the help itself, as typer shows it
            sys.exit(exc.exit_code)
        except UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "scraper"
            err.print(f"[red]error:[/red] {exc.format_message()} (see {where} --help)", highlight=False)
            sys.exit(exc.exit_code)
        except ClickException as exc:
            err.print(f"[red]error:[/red] {exc.format_message()}", highlight=False)
            sys.exit(exc.exit_code)
        except Abort:
            err.print("[red]error:[/red] aborted", highlight=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            _tidy(option)
        return option


def _tidy(param: Any) -> None:
    if isinstance(param, TyperArgument):
        param.metavar = _argument_label(param)
        param.__class__ = _Argument
    elif isinstance(param, TyperOption) and param.metavar is None:
        if param.is_flag:
            param.metavar = ""  # a flag takes no value: no placeholder
        else:
            shown = param.display_type(None)
            param.metavar = _PLAIN.get(shown, shown.strip("<>").upper())


def command(app: typer.Typer, function: Any, name: str | None = None) -> None:
    app.command(name, cls=Command)(function)
