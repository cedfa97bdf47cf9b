"""What is said under a results table, the same in the CLI's output and in the
markdown export: each configuration's speed against the first, the order
interleaved passes ran in, the normaliser the WER was counted after, and where each
row's time went."""

from __future__ import annotations

from asr_tui.core import corpus, paths, stability, stages
from asr_tui.core.results import RunResult, pass_order

SPEEDS_HEADING = "speed against the first configuration (warm medians, ± from both spreads):"
STAGES_TITLE = "stages (median s of the counted passes; audio decode s: the file's, once for all passes; n/a: the backend cannot say)"
ENERGY_COUNTERS = ("cpu", "gpu")


def relative_speeds(results: list[RunResult]) -> list[str]:
    """Each configuration's speed on each file against the first configuration's on
    that file, with the uncertainty from both sides' spread (when several ran), and
    the timing marks either side carries: a ratio is no firmer than its timings. The
    first configuration measured again (History holds every session's runs) is not
    set against itself, and each run is set against that configuration's run from its
    own process where there is one: a ratio across sittings carries whatever changed
    on the machine between them, and says so."""
    configuration = {id(r): corpus.configuration(r) for r in results}  # once each: History holds thousands
    first: dict[tuple, RunResult] = {}  # audio heard -> its first run (seconds over other audio are no ratio)
    own: dict[tuple, RunResult] = {}  # (audio heard, process) -> the first configuration's run there
    for r in results:
        base = first.setdefault(r.audio_heard, r)
        if configuration[id(r)] == configuration[id(base)] and (process := r.env.get("process")):
            own.setdefault((r.audio_heard, process), r)
    lines, names = [], paths.shown_names(r.audio for r in results)
    for r in results:
        if configuration[id(r)] == configuration[id(first[r.audio_heard])]:
            continue
        process = r.env.get("process")
        base = own.get((r.audio_heard, process)) or first[r.audio_heard]
        if base.warm_runs_s and r.warm_runs_s:
            value, uncertainty = stability.ratio(base.warm_runs_s, r.warm_runs_s)
            marks = stability.timing_marks([base, r])
            other = base.env.get("process")
            apart = ", measured in another process" if process and other and other != process else ""
            lines.append(f"{r.config_name} on {names[r.audio]}: {stability.plus_minus(value, uncertainty)}x "
                         f"the speed of {base.config_name}{apart}" + (f" (timing marked {marks})" if marks else ""))
    return lines


def order_note(results: list[RunResult]) -> str | None:
    """The order interleaved passes ran in on each file, one letter per configuration
    (A1 B1 B2 A2 ...), as the document's `order` records it."""
    if not any(r.interleaved for r in results):
        return None
    letters: dict[str, str] = {}
    for r in results:
        letters.setdefault(r.config_name, chr(ord("A") + len(letters)))
    by_file: dict[str, list[str]] = {}
    for step in pass_order(results):
        by_file.setdefault(step["audio"], []).append(f"{letters[step['config']]}{step['pass']}")
    legend = ", ".join(f"{letter} = {name}" for name, letter in letters.items())
    names = paths.shown_names(by_file)
    return f"passes interleaved ({legend}): " + "; ".join(f"{names[audio]}: {' '.join(order)}" for audio, order in by_file.items())


def wer_note(results: list[RunResult]) -> str | None:
    """Which normaliser the WER column was counted after (raw WER: words as written)."""
    names = sorted({r.normaliser for r in results if r.wer is not None and r.normaliser})
    return f"WER after {' / '.join(names)}; raw WER on the words as written" if names else None


def stage_rows(results: list[RunResult], counters=ENERGY_COUNTERS) -> tuple[list[str], list[list[str]]] | None:
    """The header and rows of where each row's time went (median stage seconds of its
    counted passes) and its energy per audio hour by `counters`, or None for results
    from before passes were recorded. With several files a row names its file too."""
    if not any(r.passes for r in results):
        return None
    files = len({r.audio for r in results}) > 1
    names = paths.shown_names(r.audio for r in results)
    header = ["config", "audio decode s", *stages.STAGES, *(f"{c.upper()} J/audio h" for c in counters)]
    rows = []
    for r in results:
        timed, joules = r.stages_s, r.energy
        cells = [f"{timed[name]:.3f}" if timed and name in timed else "n/a" if not timed else "-" for name in stages.STAGES]
        energy = [str(joules[f"{c}_j_per_audio_hour"]).replace(stages.NOT_AVAILABLE, "n/a") if joules else "n/a"
                  for c in counters]
        name = f"{r.config_name} on {names[r.audio]}" if files else r.config_name
        rows.append([name, "-" if r.audio_decode_s is None else f"{r.audio_decode_s:.3f}", *cells, *energy])
    return header, rows
