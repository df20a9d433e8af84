"""Every error the library raises, each with a stable code so tests and docs can point at it.

Messages never contain the user's text: texts are private.
"""

from __future__ import annotations


class RelSignalsError(Exception):
    """Base class for all relsignals errors."""

    code = "E000"

    def __init__(self, message: str):
        super().__init__(f"[{self.code}] {message}")


class UnknownIdError(RelSignalsError, KeyError):
    """A cause or safety id that the labeling guide does not define."""

    code = "E001"

    def __init__(self, given: object, valid: tuple[str, ...]):
        super().__init__(f"unknown id {given!r}; valid ids are: {', '.join(valid)}")

    def __str__(self) -> str:  # KeyError would otherwise wrap the message in quotes
        return self.args[0]


class TextTypeError(RelSignalsError, TypeError):
    """A text that is not a ``str``."""

    code = "E002"

    def __init__(self, value: object, position: int | None = None):
        where = "" if position is None else f" at position {position}"
        super().__init__(f"expected text as str, got {type(value).__name__}{where}")


class ModelLoadError(RelSignalsError):
    """A stored model that is missing, corrupt or from an incompatible format."""

    code = "E003"


class InputFileError(RelSignalsError, ValueError):
    """An input file that cannot be read as texts (missing column, bad row, unknown format)."""

    code = "E004"


class DataError(RelSignalsError, ValueError):
    """A labeled corpus that breaks the labeling guide's format."""

    code = "E005"


class ConfigError(RelSignalsError, ValueError):
    """A bad configuration value, such as a malformed crisis-resource list."""

    code = "E006"
