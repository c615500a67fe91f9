"""The one-line message shown next to a control: an error (⚠, in red) or a note."""

from __future__ import annotations

import functools
import html

import ipywidgets as W

from .model import error_message

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


def message_line() -> W.HTML:
    """An empty message line, for a control or a lesson to show its errors and notes in."""
    message = W.HTML(layout=W.Layout(margin="0 0 2px 6px", height="auto"))
    message.add_class("cevns-message")
    return message


class HasMessage:
    """Mixin for controls and lessons: errors and notes go to their ``message`` line."""

    message: W.HTML

    def show_error(self, text: str) -> None:
        show_error(self.message, text)

    def show_info(self, text: str) -> None:
        show_info(self.message, text)

    @property
    def error(self) -> str:
        """The error text shown in ``message`` ('' if none)."""
        return error_text(self.message)


def safe(method):
    """Run a widget callback; any exception becomes the object's message, never a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 -- never a traceback in the widget
            self.show_error(error_message(exc))
            return None

    return wrapper
