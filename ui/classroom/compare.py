"""Pin and compare: the sidebar control and the difference table.

On the closed-form pages (:data:`PAGES`) the sidebar has a **Compare** section: pin the current
parameters (up to ``pins.MAX_PINS``), rename a pin (its name is its legend entry), remove one,
clear them all. The pins live in the URL (``?pin=…``, one value per pin, ``ui.state.pins``),
so a comparison link reproduces. A page passes them to its main figures with
:func:`with_pins`; ``ui.page.show.show_figure`` then draws them and, under the chart,
:func:`difference_table`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.state import pins as PN, url as state
from ui.text.echo import quote

PAGES = ("overview", "deep_alignment", "robustness")  # ui.state.nav names of the pages with the control


def current() -> tuple[PN.Pin, ...]:
    """The link's valid pins (``ui.state.url`` parsed them once, when they arrived). A problem is
    shown once, as a warning where this is first called (``ui.page.layout.sidebar``, at the top of
    the page): the URL is then rewritten without the junk, in the canonical form."""
    found, messages = state.pins(), state.pin_warnings()
    if [PN.format_pin(p) for p in found] != state.text("pin"):
        state.set_pins(found)
    if messages:
        items = "\n".join(f"- {m}" for m in messages)
        st.warning(f"**This link's pinned sets had problems:**\n{items}", icon="⚠️")
    return found


def with_pins(values: dict) -> dict:
    """``values`` with the pins under ``"pin"`` (unchanged when there are none), for a main
    figure: ``show_figure("recovery_by_position", compare.with_pins(v))``."""
    found = current()
    return {**values, "pin": found} if found else values


def _pin_current() -> None:
    found = state.pins()
    values = state.values()
    name = PN.default_name(values, [p.name for p in found])
    state.set_pins((*found, PN.make(name, values))[:PN.MAX_PINS])


def _rename(i: int, key: str) -> None:
    found = list(state.pins())
    if i < len(found):
        name = PN.sanitise(st.session_state.get(key, "")) or found[i].name  # empty: keep the old
        found[i] = PN.Pin(name, found[i].items)
        state.set_pins(found)


def _remove(i: int) -> None:
    found = list(state.pins())
    state.set_pins(found[:i] + found[i + 1:])


def panel(values: dict, box) -> None:
    """The Compare section (in ``box``, the sidebar): pin, rename, remove, clear."""
    found = current()
    box.markdown("**Compare**", help=(
        f"Pin up to {PN.MAX_PINS} parameter sets: the page's main figure draws each pinned set "
        "over the current one, with its own colour and dash, and a table under it lists the "
        "parameters in which they differ. The pins are in the link: copy the address bar to "
        "share the comparison."))
    here = PN.make("", values).items
    full, same = len(found) >= PN.MAX_PINS, any(p.items == here for p in found)
    box.button("Pin current settings", icon=":material/push_pin:", key="_pin_add",
               disabled=full or same, on_click=_pin_current, width="stretch",
               help=(f"{PN.MAX_PINS} sets are pinned: remove one first." if full else
                     "These settings are pinned already." if same else
                     "Keep these parameters as a curve to compare against."))
    if not found:
        return
    box.caption("Pinned sets (each name is its legend entry; edit to rename):")
    for i, pin in enumerate(found):
        left, right = box.columns([7, 3], vertical_alignment="center", gap="small")
        key = f"_pin_name_{i}"
        st.session_state[key] = pin.name  # seed from the URL: a link or a removal may change it
        left.text_input(f"Name of pinned set {i + 1}", key=key, max_chars=PN.MAX_NAME,
                        label_visibility="collapsed", on_change=_rename, args=(i, key))
        # A word, not an icon alone: the button's text is its accessible name.
        right.button("Remove", key=f"_pin_remove_{i}", on_click=_remove, args=(i,),
                     type="tertiary", help=f"Remove pinned set {i + 1} ({quote(pin.name)})")
    box.button("Clear pins", icon=":material/clear_all:", key="_pin_clear",
               on_click=state.set_pins, args=((),))


def difference_table(values: dict, box) -> None:
    """Under a figure with pins: the parameters in which the sets differ, one row per set."""
    rows = PN.differences(values, values.get("pin", ()))
    if len(rows[0]) == 1:  # only the "set" column: nothing differs
        box.caption("The pinned sets have the current settings.")
        return
    box.caption("How the pinned sets differ from the current settings:")
    box.dataframe(pd.DataFrame(rows), hide_index=True, width="content",
                  column_config={"set": st.column_config.TextColumn("set", pinned=True)})
