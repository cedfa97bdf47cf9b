"""The Configure tab: the list of configurations a run compares, and a form for the
selected one that shows only the options its backend reads and explains invalid
combinations inline."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from asr_tui.core import backends, config as cfg, weights
from asr_tui.core.config import RunConfig
from asr_tui.core.errors import AsrTuiError

# field, label, kind (choices for selects)
FIELDS = [
    ("label", "Label", "text"),
    ("backend", "Backend", backends.names()),
    ("model", "Model", "text"),
    ("device", "Device", list(cfg.DEVICES)),
    ("dtype", "Dtype", list(cfg.DTYPES)),
    ("strategy", "Strategy", list(cfg.STRATEGIES)),
    ("batch_size", "Batch size", "int"),
    ("beam_size", "Beam size", "int"),
    ("language", "Language", "text"),
    ("task", "Task", list(cfg.TASKS)),
    ("warmup", "Warm-up runs", "int"),
    ("repeat", "Measured runs", "int"),
    ("threads", "Threads (0: all)", "int"),
    ("max_new_tokens", "Max new tokens", "int"),
    ("vad_filter", "VAD filter", ["off", "on"]),
    ("compilation_cache", "Compile cache", ["off", "on"]),
]
SWITCHES = {"vad_filter", "compilation_cache"}  # booleans shown as off/on selects
ALWAYS_SHOWN = {"label", "backend", "model", "device", "dtype", "language", "task", "warmup", "repeat"}


def summary(config: RunConfig) -> str:
    return config.display_name


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
            with VerticalScroll(id="config-form"):
                for name, label, kind in FIELDS:
                    with Horizontal(classes="form-row", id=f"row-{name}"):
                        yield Label(label, classes="form-label")
                        if isinstance(kind, list):
                            yield Select([(c, c) for c in kind], allow_blank=False, id=f"field-{name}", compact=True)
                        else:
                            yield Input(id=f"field-{name}", type="integer" if kind == "int" else "text", compact=True)
                yield Static("", id="config-error")
                yield Static(f"Bundled models (offline): {', '.join(weights.bundled_names()) or 'none'}", id="model-hint")

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
            for name, _, kind in FIELDS:
                value = getattr(config, name)
                if name in SWITCHES:
                    value = "on" if value else "off"
                widget = self.query_one(f"#field-{name}")
                if isinstance(widget, Select):
                    widget.value = value
                else:
                    widget.value = "" if value is None else str(value)
            self._show_options(config.backend)
            self.query_one("#config-error", Static).update("")
        finally:
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    def _show_options(self, backend: str) -> None:
        options = set(backends.backend_class(backend).options)
        for name, _, _ in FIELDS:
            self.query_one(f"#row-{name}").display = name in ALWAYS_SHOWN or name in options

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "config-list" and event.cursor_row != self.current and event.cursor_row < len(self.configs):
            self.current = event.cursor_row
            self._fill_form()

    def _form_values(self) -> dict:
        values = {}
        for name, _, kind in FIELDS:
            widget = self.query_one(f"#field-{name}")
            raw = widget.value
            if kind == "int":
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise AsrTuiError(f"{name.replace('_', ' ')} must be a whole number") from None
            elif name == "language":
                values[name] = raw.strip() or None
            elif name in SWITCHES:
                values[name] = raw == "on"
            else:
                values[name] = raw
        return values

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
