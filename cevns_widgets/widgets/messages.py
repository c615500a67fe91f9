"""The one-line message shown next to a control: an error (⚠, in red) or a note."""

from __future__ import annotations

import html

import ipywidgets as W

#: Error and note colours (readable on white and on a projector).
ERROR_COLOR = "#B00020"
INFO_COLOR = "#5A5A5A"
_ERROR_MARK = "&#9888; "


def _set(message: W.HTML, value: str) -> None:
    if message.value != value:  # an unchanged value sends no message to the browser
        message.value = value


def show_error(message: W.HTML, text: str) -> None:
    """Show ``text`` as an error in ``message`` ('' clears it)."""
    _set(
        message,
        (
            f'<div class="cevns-error" style="color:{ERROR_COLOR};line-height:1.25">'
            f"{_ERROR_MARK}{html.escape(text)}</div>"
        )
        if text
        else "",
    )


def show_info(message: W.HTML, text: str) -> None:
    """Show ``text`` as a neutral note in ``message`` ('' clears it)."""
    _set(
        message,
        (
            f'<div class="cevns-info" style="color:{INFO_COLOR};line-height:1.25">'
            f"{html.escape(text)}</div>"
        )
        if text
        else "",
    )


def error_text(message: W.HTML) -> str:
    """The error shown in ``message`` ('' if none)."""
    if "cevns-error" not in message.value:
        return ""
    return html.unescape(message.value.split(_ERROR_MARK, 1)[-1].split("</div>")[0])
