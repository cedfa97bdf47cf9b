"""The Configure tab: the list of configurations a run compares, and a form for the
selected one that shows only the options its backend reads and explains invalid
combinations inline. The form's rows are the knobs (core/config.py) in their
declaration order: a new knob gets its row without an edit here."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from asr_tui.core import backends, weights
from asr_tui.core.config import KNOBS, RunConfig
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import Knob

def summary(config: RunConfig) -> str:
    return config.display_name


def field_widget(knob: Knob) -> Input | Select:
    """A select for a knob with choices (on/off for a switch), else a text input that
    the knob itself parses, so the form rejects a value as the CLI does."""
    choices = ("off", "on") if knob.kind == "bool" else knob.choice_list()
    if choices:
        return Select([(c, c) for c in choices], allow_blank=False, id=f"field-{knob.name}", compact=True, tooltip=knob.help)
    kind = {"int": "integer", "float": "number"}.get(knob.kind, "text")
    return Input(id=f"field-{knob.name}", type=kind, compact=True, tooltip=knob.help)


class ConfigurePane(Vertical):
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("x", "remove", "Remove"),
        Binding("p", "app.load_preset", "Presets"),
        Binding("ctrl+s", "app.save_preset", "Save"),
    ]

    class Changed(Message):
        """The list of configurations changed."""

    def __init__(self, configs: list[RunConfig], **kwargs) -> None:
        super().__init__(**kwargs)
        self.configs = configs
        self.current = 0
        self._filling = False

    def compose(self) -> ComposeResult:
        yield Label("", id="preset-name", classes="title")
        with Horizontal():
            yield DataTable(id="config-list", cursor_type="row", zebra_stripes=True)
            with Vertical(id="config-form"):
                with VerticalScroll(id="config-rows"):
                    for knob in KNOBS:
                        with Horizontal(classes="form-row", id=f"row-{knob.name}"):
                            yield Label(knob.label, classes="form-label")
                            yield field_widget(knob)
                    yield Static(f"Bundled models (offline): {', '.join(weights.bundled_names()) or 'none'}", id="model-hint")
                # below the scrolling rows, so a refusal is seen whichever row was edited
                yield Static("", id="config-error")

    def on_mount(self) -> None:
        self.query_one("#config-list", DataTable).add_columns("#", "configuration")
        self.reload()

    def reload(self, preset_name: str | None = None) -> None:
        if preset_name is not None:
            self.query_one("#preset-name", Label).update(f"Preset: {preset_name}")
        self.current = min(self.current, len(self.configs) - 1) if self.configs else 0
        self._refresh_list()
        self._fill_form()

    def _refresh_list(self) -> None:
        table = self.query_one("#config-list", DataTable)
        table.clear()
        for index, config in enumerate(self.configs, start=1):
            table.add_row(str(index), summary(config))
        if self.configs:
            table.move_cursor(row=self.current)
        self.post_message(self.Changed())

    def _fill_form(self) -> None:
        if not self.configs:
            return
        config = self.configs[self.current]
        self._filling = True
        try:
            for knob in KNOBS:
                self.query_one(f"#field-{knob.name}").value = knob.to_text(getattr(config, knob.name))
            self._show_options(config.backend)
            self.query_one("#config-error", Static).update("")
        finally:
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    def _show_options(self, backend: str) -> None:
        cls = backends.backend_class(backend)
        for knob in KNOBS:
            self.query_one(f"#row-{knob.name}").display = cls.reads(knob)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "config-list" and event.cursor_row != self.current and event.cursor_row < len(self.configs):
            self.current = event.cursor_row
            self._fill_form()

    def _form_values(self) -> dict:
        return {knob.name: knob.from_text(self.query_one(f"#field-{knob.name}").value) for knob in KNOBS}

    def on_input_changed(self, event: Input.Changed) -> None:
        self._apply_form()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "field-backend":
            self._show_options(str(event.value))
        self._apply_form()

    def _apply_form(self) -> None:
        if self._filling or not self.configs:
            return
        error = self.query_one("#config-error", Static)
        try:
            config = self.configs[self.current].with_(**self._form_values())
            backends.create(config.backend).check(config)
        except AsrTuiError as exc:
            error.update(f"[b red]{exc}[/]")
            return
        error.update("")
        self.configs[self.current] = config
        table = self.query_one("#config-list", DataTable)
        table.update_cell_at((self.current, 1), summary(config))
        self.post_message(self.Changed())

    def action_new(self) -> None:
        base = self.configs[self.current] if self.configs else RunConfig()
        self.configs.append(base.with_(label=""))
        self.current = len(self.configs) - 1
        self._refresh_list()
        self._fill_form()

    def action_remove(self) -> None:
        if len(self.configs) <= 1:
            self.notify("a run needs at least one configuration", severity="warning")
            return
        del self.configs[self.current]
        self.current = max(0, self.current - 1)
        self._refresh_list()
        self._fill_form()
