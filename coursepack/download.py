"""The Lessons page's download of the course pack: built once per server and lesson files (about
15 s: sympy's derivations and the toy steps' SVGs), under a spinner, then served to every session
from the cache."""

from __future__ import annotations

import streamlit as st

from ui.classroom import lessons
from ui.state import link as share

from . import build

FILENAME = "shallow-deep-course-pack.zip"
_ASKED = "_course_pack_asked"  # this session pressed "Make": show the download from now on


def _signature() -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                 for p in sorted(lessons.FOLDER.glob("*.toml")))


@st.cache_resource(show_spinner=False, max_entries=2)
def _pack(signature: tuple, base: str) -> tuple[bytes, build.Report]:
    return build.zip_bytes(base=base)


def _base() -> str:
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - outside a browser session (AppTest)
        url = None
    return share.base_from_page_url(url) if url else share.base_url()


def button() -> None:
    """"Make the course pack", then its download button (the zip of the shipped lessons)."""
    if not st.session_state.get(_ASKED):
        st.button("Make the offline course pack", key="course_pack_make", icon=":material/folder_zip:",
                  on_click=st.session_state.__setitem__, args=(_ASKED, True),
                  help="All shipped lessons, the live figures, the glossary and the derivations "
                       "as static files that open from a folder, without a server or a network.")
        return
    with st.spinner("Making the course pack (about 15 s the first time)…"):
        try:
            data, report = _pack(_signature(), _base())
        except (build.PackError, OSError) as err:
            st.error(f"The course pack could not be made: {err}")
            return
    st.download_button(f"Download the course pack (zip, {len(data) / 1e6:.1f} MB)", data,
                       file_name=FILENAME, mime="application/zip", key="course_pack_download",
                       icon=":material/download:", type="primary")
    note = (f"Unzip it and open index.html: {report.files} files, {report.size / 1e6:.1f} MB "
            "unpacked. The lessons of this app's lessons/ folder, not uploaded ones.")
    if report.problems:
        note += " Some figures could not be drawn here: " + "; ".join(report.problems[:3])
    st.caption(note)
