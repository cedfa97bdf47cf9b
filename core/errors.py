"""The one exception type the UI layers turn into a one-line message.

Everything a user can cause (bad audio, a missing model, an absent GPU, a malformed
preset) raises `AsrTuiError` with a message that names the thing and what to do;
anything else escaping the core is a bug and is shown as such.
"""


class AsrTuiError(Exception):
    """A user-facing failure whose message is complete on one line."""


class Cancelled(Exception):
    """Raised inside a backend when the user cancelled the run in progress."""
