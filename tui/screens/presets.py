"""Pick, load and delete presets, and name a preset being saved.

The picker shows each preset by the name `asr-tui --preset` takes (its file stem),
its title and its description; files that failed to load (malformed, not UTF-8, not
readable) are listed as unreadable with the reason, and the others load."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from asr_tui.core import presets
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.presets import Preset
from asr_tui.tui.widgets.sources import with_tilde


def entry(preset: Preset) -> Text:
    """Its --preset name first (bold), then the title, then the description (dim)."""
    where = "bundled" if preset.bundled else "user"
    text = Text.assemble((f"{preset.slug}  ", "bold"), f"{preset.name}  ", (f"({where}, {len(preset.configs)} config{'s' if len(preset.configs) != 1 else ''})", "dim"))
    if preset.description:
        text.append("\n")
        text.append(preset.description, "dim italic")
    return text


class PresetScreen(ModalScreen[Preset | None]):
    BINDINGS = [
        Binding("escape", "dismiss_none", "Close"),
        Binding("delete,x", "delete", "Delete preset"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Presets by --preset name (enter loads, x deletes a user preset)", classes="title")
            # above the list: below, a long list pushed them off a small screen
            yield Static("", id="preset-errors")
            yield OptionList(id="preset-list")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.found, errors = presets.discover()
        options = self.query_one("#preset-list", OptionList)
        options.clear_options()
        for preset in self.found:
            options.add_option(Option(entry(preset), id=preset.slug))
        options.highlighted = 0 if self.found else None  # enter loads at once
        shown = self.query_one("#preset-errors", Static)
        shown.update("\n".join(f"[red]unreadable[/] {escape(e)}" for e in errors))
        shown.display = bool(errors)

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
            self.notify(f"'{preset.name}' is bundled and cannot be deleted", severity="warning", markup=False)
            return

        def delete(yes: bool | None) -> None:
            if yes:
                try:
                    presets.delete(preset)
                except AsrTuiError as exc:
                    self.notify(str(exc), severity="error", markup=False)
                except OSError as exc:
                    self.notify(f"could not delete {preset.path}: {exc.strerror or exc}", severity="error", markup=False)
                self.reload()

        self.app.push_screen(ConfirmDialog(f"Delete preset '{preset.name}' ({preset.path})?"), delete)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class SavePresetDialog(ModalScreen[tuple[str, str] | None]):
    """Asks for a name and a description, saying which file and --preset name the
    name becomes. Saving over a user preset offers its own name and description; a
    copy of a bundled preset offers "<its name> copy" and no description, since the
    bundled one describes the bundled configurations, not the edited ones."""

    BINDINGS = [("escape", "dismiss_none", "Cancel")]

    def __init__(self, current: Preset, typed: tuple[str, str] | None = None) -> None:
        """`typed`: the name and description given before (a "no" to overwriting asks again)."""
        super().__init__()
        self.current = current
        self.initial = typed or ((f"{current.slug} copy", "") if current.bundled else (current.name, current.description))

    def compose(self) -> ComposeResult:
        name, description = self.initial
        with Vertical(classes="dialog"):
            yield Label("Save the configurations as a preset", classes="title")
            yield Label("Name")
            yield Input(name, id="preset-name-input")
            yield Static("", id="preset-file")
            yield Label("Description")
            yield Input(description, placeholder="what these configurations compare", id="preset-description-input")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._show_file()

    def _target(self) -> Path | None:
        try:
            return presets.target_for(self.current, self.query_one("#preset-name-input", Input).value.strip())
        except AsrTuiError:
            return None

    def _show_file(self) -> None:
        target = self._target()
        self.query_one("#preset-file", Static).update(
            Text(f"{with_tilde(target)} · asr-tui --preset {target.stem}", "dim") if target
            else Text("a name needs at least one letter or digit", "red")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "preset-name-input":
            self._show_file()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "preset-name-input":
            self.query_one("#preset-description-input", Input).focus()
        else:
            self._answer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._answer()
        else:
            self.dismiss(None)

    def _answer(self) -> None:
        if self._target() is None:
            self.query_one("#preset-name-input", Input).focus()
            return
        name = self.query_one("#preset-name-input", Input).value.strip()
        self.dismiss((name, self.query_one("#preset-description-input", Input).value.strip()))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
