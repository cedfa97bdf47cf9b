"""Pick, load and delete presets; files that failed to load (malformed, not UTF-8, not
readable) are listed as unreadable with the reason, and the others load."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from asr_tui.core import presets
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.presets import Preset


class PresetScreen(ModalScreen[Preset | None]):
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close"),
        Binding("delete,x", "delete", "Delete preset"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Presets (enter loads, x deletes a user preset)", classes="title")
            yield OptionList(id="preset-list")
            yield Static("", id="preset-errors")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.found, errors = presets.discover()
        options = self.query_one("#preset-list", OptionList)
        options.clear_options()
        for preset in self.found:
            where = "bundled" if preset.bundled else "user"
            options.add_option(Option(f"{preset.name}  [dim]({where}, {len(preset.configs)} configs)[/]", id=preset.slug))
        self.query_one("#preset-errors", Static).update(
            "\n".join(f"[red]unreadable[/] {escape(e)}" for e in errors)
        )

    def _highlighted(self) -> Preset | None:
        index = self.query_one("#preset-list", OptionList).highlighted
        return None if index is None else self.found[index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found[event.option_index])

    def action_delete(self) -> None:
        from asr_tui.tui.screens.dialogs import ConfirmDialog

        preset = self._highlighted()
        if preset is None:
            return
        if preset.bundled:
            self.notify(f"'{preset.name}' is bundled and cannot be deleted", severity="warning")
            return

        def delete(yes: bool | None) -> None:
            if yes:
                try:
                    presets.delete(preset)
                except AsrTuiError as exc:
                    self.notify(str(exc), severity="error")
                except OSError as exc:
                    self.notify(f"could not delete {preset.path}: {exc.strerror or exc}", severity="error")
                self.reload()

        self.app.push_screen(ConfirmDialog(f"Delete preset '{preset.name}' ({preset.path})?"), delete)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
