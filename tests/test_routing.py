"""The one Streamlit workaround (routing.py) is still needed, and it is in place.

A ``pages/`` folder beside app.py puts Streamlit 1.67 into its old multipage mode, in which a page
file runs without the frame. If Streamlit stops doing that, the first test fails: drop routing.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from apptest_helpers import APP, ROOT, TIMEOUT, texts
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

import routing
from core.i18n import t

MODE_OF_A_NEW_SESSION = ("from streamlit.runtime.pages_manager import PagesManager; {before}"
                         "PagesManager({app!r}); print(PagesManager.uses_pages_directory)")


def old_mode_in_a_fresh_process(before: str = "") -> str:
    """``uses_pages_directory`` after the first session's PagesManager of a new server process."""
    code = MODE_OF_A_NEW_SESSION.format(before=before, app=APP)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_pages_folder_still_switches_on_the_old_mode():
    assert old_mode_in_a_fresh_process() == "True"


def test_importing_the_app_switches_the_old_mode_off_before_the_first_session():
    assert old_mode_in_a_fresh_process(before="import app; ") == "False"


def signed_out_visit_to_kegiatan() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.switch_page("pages/kegiatan.py").run()


@pytest.mark.usefixtures("admin")  # an account exists: the frame's answer is the sign-in screen
def test_without_the_workaround_a_page_file_runs_without_the_frame(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", PagesManager)  # undo conftest's routing.FrameRoutedPagesManager
    at = signed_out_visit_to_kegiatan()
    assert t("auth.forbidden") in texts(at.error)  # the page's own guard ran: the frame did not
    assert t("app.please_sign_in") not in texts(at.info)


@pytest.mark.usefixtures("admin")
def test_with_the_workaround_the_frame_answers_a_signed_out_visit(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", routing.FrameRoutedPagesManager)
    at = signed_out_visit_to_kegiatan()
    assert texts(at.info) == [t("app.please_sign_in")]
    assert t("auth.forbidden") not in texts(at.error)
