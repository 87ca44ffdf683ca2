"""Small text helpers for showing user text safely."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """Drop control characters (NUL and the like) that no officer types and SQLite's length() trips on."""
    return _CONTROL.sub("", text)


def escape_markdown(text: str | None) -> str:
    """Backslash every character markdown (or Streamlit's extensions) would act on."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text or ""))


def initials(name: str) -> str:
    """'Dr. Siti Rahmawati, S.E., M.Si.' → 'S. R.' (titles dropped) for pseudonymised views."""
    core_name = name.split(",")[0]
    words = [w for w in core_name.split() if not w.endswith(".")]
    return " ".join(f"{w[0].upper()}." for w in words) or "–"
