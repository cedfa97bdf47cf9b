"""The Configure tab: the list of configurations a run compares, and a form for the
selected one that shows only the options its backend reads.

Every edit is checked where it is made. A refusal is shown under the field it
concerns, the configuration is marked ✗ in the list, and the form keeps what was
typed (the entry's draft) while the app keeps the last valid configuration; the app
asks `refuse_invalid` before a run or a save, so what the form shows is never
silently different from what would run. A `cuda` configuration on a machine with no
GPU visible is refused here too (`environment.gpu_visible`, a probe that imports no
framework), not when the run reaches it.

Labels follow the settings. A label, a preset's or one typed here, names the
settings it was given for: once one of the settings a generated name summarises
changes (`RunConfig.NAMED_BY_SUMMARY`: backend, model, device, dtype, strategy, batch
and beam size) the label is dropped and the summary names the configuration in the
list, the run, results, exports, history and saved presets. A label typed in this
session sticks across such edits: the user said what to call it. An empty label
field shows the generated name as its placeholder.

The form's rows are the knobs (core/config.py) in their declaration order: a new
knob gets its row without an edit here. The run's own options (`RUN_KNOBS`, such as
interleaving) are a row above the list: they hold for every configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from rich.text import Text
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Select, Static

from asr_tui.core import backends, environment, weights
from asr_tui.core.config import BY_NAME, KNOBS, RUN_KNOBS, RunConfig, RunOptions, named_apart, summary
from asr_tui.core.errors import AsrTuiError
from asr_tui.core.knobs import Knob
from asr_tui.tui.widgets.tables import LiteralTable

INVALID = "bold red"
LABEL_WIDTH = max(len(knob.label) for knob in KNOBS) + 2  # the labels whole, and a space


@dataclass(frozen=True)
class Problem:
    """Why the form's values are not a configuration, and the field to say it under."""

    field: str
    message: str


@dataclass
class Entry:
    """What the form remembers of one configuration beyond the configuration itself."""

    draft: dict[str, str] | None = None  # the texts as shown, while they do not validate
    problem: Problem | None = None
    label_typed: bool = False  # typed in this session, so kept when the settings change


def texts_of(config: RunConfig) -> dict[str, str]:
    return {knob.name: knob.to_text(getattr(config, knob.name)) for knob in KNOBS}


def reason(error: AsrTuiError) -> str:
    """The message without the prefix the CLI needs: in the form, the field says what."""
    return str(error).removeprefix("invalid configuration: ")


def check_device(config: RunConfig) -> None:
    if config.device == "cuda" and not environment.gpu_visible():
        raise AsrTuiError("no GPU is visible here (no NVIDIA or ROCm device): use device cpu")


def read(texts: Mapping[str, str], edited: str, previous: Problem | None = None,
         valid: RunConfig | None = None) -> RunConfig | Problem:
    """The configuration the form's texts describe, or the first problem with them.

    A field's own problem (its type, choices, bounds) is shown under that field, the
    one just edited first. A rule between fields (batch size needs strategy batched, a
    backend's dtypes) is shown under the field whose edit broke it (`culprit`) and
    stays there while other fields are edited; a missing GPU under the device."""
    values, own = {}, {}
    for knob in KNOBS:
        try:
            values[knob.name] = knob.from_text(texts[knob.name])
            knob.check(values[knob.name])
        except AsrTuiError as exc:
            own[knob.name] = reason(exc)
    if own:
        field = edited if edited in own else next(iter(own))
        return Problem(field, own[field])
    try:
        config = _checked(values)
    except AsrTuiError as exc:
        message = reason(exc)
        if previous and previous.message == message:
            return Problem(previous.field, message)
        return Problem(culprit(values, edited, valid) if valid else edited, message)
    try:
        check_device(config)
    except AsrTuiError as exc:
        return Problem("device", reason(exc))
    return config


def _checked(values: Mapping[str, object]) -> RunConfig:
    """A configuration whose fields agree with each other and with its backend."""
    config = RunConfig(**values)
    backends.create(config.backend).check(config)
    return config


def culprit(values: Mapping[str, object], edited: str, valid: RunConfig) -> str:
    """The field that broke a rule between fields: the one just edited if its last
    valid value mends the configuration, else the first that does (setting a batch
    size back to 1 leaves float16 on the CPU wrong, and that is the dtype's fault)."""
    for name in [edited] + [knob.name for knob in KNOBS if knob.name != edited]:
        if values[name] == getattr(valid, name):
            continue
        try:
            _checked({**values, name: getattr(valid, name)})
        except AsrTuiError:
            continue
        return name
    return edited


def field_widget(knob: Knob, prefix: str = "field") -> Input | Select:
    """A select for a knob with choices (on/off for a switch), else a text input that
    the knob itself parses, so the form rejects a value as the CLI does."""
    choices = ("off", "on") if knob.kind == "bool" else knob.choice_list()
    if choices:
        return Select([(c, c) for c in choices], allow_blank=False, id=f"{prefix}-{knob.name}", compact=True, tooltip=knob.help)
    kind = {"int": "integer", "float": "number"}.get(knob.kind, "text")
    return Input(id=f"{prefix}-{knob.name}", type=kind, compact=True, tooltip=knob.help)


LIST_COLUMNS = ("#", "configuration")


class ConfigurePane(Vertical):
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("x", "remove", "Remove"),
        Binding("p", "app.load_preset", "Presets"),
        Binding("ctrl+s", "app.save_preset", "Save"),
        # out of a form field, whose typing keys hide the pane's: back to the list
        Binding("escape", "to_list", "To the list", show=False),
    ]

    def __init__(self, configs: list[RunConfig], **kwargs) -> None:
        super().__init__(**kwargs)
        self.configs = configs  # the app's list: only valid configurations go in
        self.entries: list[Entry] = []  # one per configuration, in the same order
        self.current = 0
        self.options = RunOptions()  # the run's own settings, read by the app when it runs

    def compose(self) -> ComposeResult:
        yield Label("", id="preset-name", classes="title")
        with Horizontal(id="run-options"):
            for knob in RUN_KNOBS:
                yield Label(knob.label, classes="form-label")
                yield field_widget(knob, prefix="run")
        with Horizontal():
            yield LiteralTable(id="config-list", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="config-form"):
                for knob in KNOBS:
                    with Vertical(classes="knob-row", id=f"row-{knob.name}"):
                        with Horizontal(classes="knob-field"):
                            label = Label(knob.label, classes="form-label")
                            label.styles.width = LABEL_WIDTH
                            yield label
                            yield field_widget(knob)
                        yield Static("", classes="knob-error", id=f"error-{knob.name}")
                yield Static(f"Bundled models (offline): {', '.join(weights.bundled_names()) or 'none'}", id="model-hint")

    def on_mount(self) -> None:
        self.query_one("#config-list", DataTable).add_columns(*LIST_COLUMNS)

    def reload(self, preset_name: str | None = None, options: RunOptions | None = None) -> None:
        """The configurations were replaced (a preset loaded or saved). Each is checked
        as an edit would be, so a preset's cuda configuration on a machine without a
        GPU is marked at once; labels typed before are now the preset's own."""
        if preset_name is not None:
            self.query_one("#preset-name", Label).update(Text(f"Preset: {preset_name}"))
        if options is not None:
            self.options = options
            with self.prevent(Select.Changed):
                for knob in RUN_KNOBS:
                    self.query_one(f"#run-{knob.name}").value = knob.to_text(getattr(options, knob.name))
        self.entries = [self._entry_for(config) for config in self.configs]
        self.current = min(self.current, len(self.configs) - 1) if self.configs else 0
        self._refresh_list()
        self._fill_form()

    @staticmethod
    def _entry_for(config: RunConfig) -> Entry:
        texts = texts_of(config)
        found = read(texts, "backend")
        return Entry() if isinstance(found, RunConfig) else Entry(texts, found)

    # --- the list ----------------------------------------------------------------------

    def names(self) -> list[str]:
        """The names the list shows: the names a run gives them (`config.named_apart`,
        so two that differ only in threads read apart here as in the results); a draft
        is named from what it says. All at once: a name can follow its siblings'."""
        try:
            run_names = [c.display_name for c in named_apart(self.configs)]
        except AsrTuiError:  # two the same: the run refuses them and says why
            run_names = [c.display_name for c in self.configs]
        return [name if entry.draft is None else entry.draft["label"].strip() or summary(entry.draft)
                for name, entry in zip(run_names, self.entries)]

    def _cells(self, index: int, name: str) -> tuple[Text, Text]:
        name = name if self.entries[index].problem is None else f"✗ {name}"
        # A name wider than the list would be cut at its edge without a sign, and two
        # configurations that differ at the end ("... int8", "... int8 beam2") would
        # read the same: its middle gives way to an ellipsis instead.
        table = self.query_one("#config-list", DataTable)
        number = str(index + 1)
        # room for the name: the list's width less the number column, both columns'
        # padding and a vertical scrollbar's (it appears once the rows outgrow the list)
        room = (table.scrollable_content_region.width - 4 * table.cell_padding - len(str(len(self.configs)))
                - table.styles.scrollbar_size_vertical)
        if 8 < room < len(name):
            head = room * 2 // 5
            name = f"{name[:head]}…{name[len(name) - (room - head - 1):]}"
        style = "" if self.entries[index].problem is None else INVALID
        return Text(number, style), Text(name, style)

    def on_resize(self) -> None:
        # after the layout settles: the list's own width is not yet the new one here
        self.call_after_refresh(self._refresh_list)

    def _refresh_list(self) -> None:
        table = self.query_one("#config-list", DataTable)
        table.clear(columns=True)  # the columns too: they keep the widest name they held
        table.add_columns(*LIST_COLUMNS)
        for index, name in enumerate(self.names()):
            table.add_row(*self._cells(index, name))
        if self.configs:
            table.move_cursor(row=self.current)

    def _update_rows(self) -> None:
        """The edited row, and the others: a name can follow its siblings' settings."""
        table = self.query_one("#config-list", DataTable)
        for row, name in enumerate(self.names()):
            for column, cell in enumerate(self._cells(row, name)):
                table.update_cell_at((row, column), cell, update_width=True)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "config-list" and event.cursor_row != self.current and event.cursor_row < len(self.configs):
            self.current = event.cursor_row
            self._fill_form()

    def invalid(self) -> list[str]:
        """One line for each configuration whose form does not validate."""
        return [
            f"configuration {index + 1} '{name}' is invalid: {entry.problem.message}"
            for index, (name, entry) in enumerate(zip(self.names(), self.entries)) if entry.problem
        ]

    def refuse_invalid(self) -> bool:
        """Before a run or a save: the app holds only the last valid copy of an invalid
        configuration, so say which is invalid and show the first, and refuse."""
        lines = self.invalid()
        if not lines:
            return False
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        self.notify(lines[0] + more, severity="error", timeout=8, markup=False)
        self.current = next(index for index, entry in enumerate(self.entries) if entry.problem)
        self.query_one("#config-list", DataTable).move_cursor(row=self.current)
        self._fill_form()
        return True

    # --- the form ----------------------------------------------------------------------

    def _field(self, name: str) -> Input | Select:
        return self.query_one(f"#field-{name}")

    def _set_fields(self, texts: Mapping[str, str]) -> None:
        """Show values without taking them for the user's edits."""
        with self.prevent(Input.Changed, Select.Changed):
            for name, text in texts.items():
                self._field(name).value = text

    def _form_texts(self) -> dict[str, str]:
        return {knob.name: str(self._field(knob.name).value) for knob in KNOBS}

    def _fill_form(self) -> None:
        if not self.configs:
            return
        entry = self.entries[self.current]
        texts = entry.draft or texts_of(self.configs[self.current])
        self._set_fields(texts)
        self._show_options(texts["backend"])
        self._show_problem(entry.problem)
        self._field("label").placeholder = summary(texts)

    def _backend_class(self, name: str):
        try:
            return backends.backend_class(name)
        except AsrTuiError:  # a broken plugin: `read` says why under the backend
            return None

    def _show_options(self, backend: str) -> None:
        cls = self._backend_class(backend)
        for knob in KNOBS:
            self.query_one(f"#row-{knob.name}").display = cls is None or cls.reads(knob)

    def _show_problem(self, problem: Problem | None) -> None:
        """Under its field; a field the backend does not read is hidden, so its problem
        is said under the backend, naming the field."""
        for error in self.query(".knob-error"):
            error.display = False
        if problem is None:
            return
        field, message = problem.field, problem.message
        if not self.query_one(f"#row-{field}").display:
            field, message = "backend", f"{BY_NAME[field].label}: {message}"
        error = self.query_one(f"#error-{field}", Static)
        error.update(Text(message))
        error.display = True
        self.call_after_refresh(error.scroll_visible, animate=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._edited(event.input.id)

    def on_select_changed(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("run-")
        if name != event.select.id:  # a run option: it holds for every configuration
            knob = next(k for k in RUN_KNOBS if k.name == name)
            self.options = replace(self.options, **{name: knob.from_text(str(event.value))})
            return
        self._edited(event.select.id)

    def _edited(self, widget_id: str | None) -> None:
        name = (widget_id or "").removeprefix("field-")
        if name not in BY_NAME or not self.entries:  # not a field, or before the first fill
            return
        entry = self.entries[self.current]
        if name == "label":
            entry.label_typed = bool(self._field("label").value.strip())
        elif name in RunConfig.NAMED_BY_SUMMARY and not entry.label_typed:
            self._set_fields({"label": ""})
        if name == "backend":
            self._backend_changed(str(self._field("backend").value))
        texts = self._form_texts()
        found = read(texts, name, entry.problem, self.configs[self.current])
        if isinstance(found, Problem):
            entry.draft, entry.problem = texts, found
        else:
            entry.draft, entry.problem = None, None
            self.configs[self.current] = found
        self._show_problem(entry.problem)
        self._field("label").placeholder = summary(texts)
        self._update_rows()

    def _backend_changed(self, backend: str) -> None:
        """Knobs the new backend does not read go back to their defaults: hidden, they
        could not be fixed if they made the configuration invalid (PyTorch after a
        batched JAX configuration). A strategy it does not decode becomes its first, and what it `needs` is set."""
        self._show_options(backend)
        cls = self._backend_class(backend)
        if cls is not None:
            reset = {k.name: k.to_text(k.default) for k in KNOBS if not cls.reads(k)}
            if self._field("strategy").value not in cls.strategies:  # whisper-jax decodes batched only
                reset["strategy"] = cls.strategies[0]
            self._set_fields(reset | dict(cls.needs))

    def action_new(self) -> None:
        """A copy of the selected configuration (its draft, if invalid) without its label."""
        base = self.configs[self.current] if self.configs else RunConfig()
        entry = self.entries[self.current] if self.configs else Entry()
        self.configs.append(base.with_(label=""))
        draft = entry.draft and entry.draft | {"label": ""}
        self.entries.append(Entry(draft, entry.problem))
        self.current = len(self.configs) - 1
        self._refresh_list()
        self._fill_form()

    def action_to_list(self) -> None:
        """From a field of the form, focus the list; anywhere else escape is the app's
        (it cancels a run)."""
        listing = self.query_one("#config-list", DataTable)
        if self.app.focused is None or self.app.focused is listing:
            raise SkipAction()
        listing.focus()

    def action_remove(self) -> None:
        """Remove the selected configuration, after asking (as for a source): its
        settings are gone with it unless a preset holds them."""
        from asr_tui.tui.screens.dialogs import ConfirmDialog

        if len(self.configs) <= 1:
            self.notify("a run needs at least one configuration", severity="warning", markup=False)
            return
        index = self.current
        chosen, name = self.configs[index], self.names()[index]  # the name the list shows

        def remove(confirmed: bool | None) -> None:
            if not confirmed or index >= len(self.configs) or self.configs[index] is not chosen:
                return
            del self.configs[index]
            del self.entries[index]
            self.current = max(0, index - 1)
            self._refresh_list()
            self._fill_form()

        self.app.push_screen(ConfirmDialog(f"Remove the configuration {name}?"), remove)
