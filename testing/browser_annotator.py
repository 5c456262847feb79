"""A person at Label Studio's web page, played by a headless browser (playwright + Chromium).

Used by the tests and benchmarks/bench_annotation_ui.py to label clips the way an annotator does:
log in through the login page, open a task, wait until the clip has loaded, then press keys
(`--ui seconds`) or drag a span on the timeline (`--ui timeline`) and submit with Ctrl+Enter.
Every step goes through the page; nothing is posted through the API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ovavel.annotation.config import TIMELINE_FPS

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # playwright is a dev dependency; only its users import this module's pages
    PlaywrightTimeout = TimeoutError

VIDEO_READY = "(() => { const v = document.querySelector('video'); return v !== null && v.readyState >= 2; })()"


@dataclass
class VideoState:
    ready_state: int
    duration: float
    current_time: float


class AnnotatorPage:
    def __init__(self, browser, base_url: str, width: int = 1400, height: int = 1100):
        self.base_url = base_url.rstrip("/")
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.keys = 0  # key presses and drags so far (what the person did)
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)

    def close(self) -> None:
        self.context.close()

    def login(self, email: str, password: str) -> None:
        self.page.goto(f"{self.base_url}/user/login/")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        if "/user/login" in self.page.url:
            raise RuntimeError(f"login as {email} failed: still on {self.page.url}")

    def open_task(self, project_id: int, task_id: int, timeout_ms: int = 60_000) -> VideoState:
        """Open a task in the labelling page and wait until its video can play (readyState >= 2)."""
        self.page.goto(f"{self.base_url}/projects/{project_id}/data?task={task_id}")
        # Label Studio keeps the <video> element hidden (it draws the frames elsewhere).
        self.page.wait_for_selector("video", state="attached", timeout=timeout_ms)
        self.page.wait_for_function(VIDEO_READY, timeout=timeout_ms)
        return self.video()

    def video(self) -> VideoState:
        s = self.page.evaluate("(() => { const v = document.querySelector('video');"
                               " return [v.readyState, v.duration, v.currentTime]; })()")
        return VideoState(int(s[0]), float(s[1]), float(s[2]))

    def focus_page(self) -> None:
        """Hotkeys work once the page, not a form field, has focus: click an empty spot."""
        self.page.get_by_text("Class:").first.click()

    def press_seconds(self, seconds: list[int]) -> None:
        self.focus_page()
        for k in seconds:
            self.page.keyboard.press(str(k))
            self.keys += 1

    def drag_span(self, start_s: float, end_s: float, fps: int = TIMELINE_FPS) -> None:
        """Select the "event" label (its hotkey 1) and drag over the timeline from the step that
        holds start_s to the step that ends at end_s (`fps` steps a second, the round's
        timeline_fps). The page must be wide enough to show every step of the clip (they are
        --frame-size pixels wide after a --offset of labels)."""
        self.focus_page()
        self.page.keyboard.press("1")
        frames = self.page.locator(".lsf-timeline-frames")
        frames.scroll_into_view_if_needed()  # below the video in a window of a laptop's height
        box = frames.bounding_box()
        size, offset = self.page.evaluate(
            "(() => { const s = getComputedStyle(document.querySelector('.lsf-timeline-frames'));"
            " return [parseFloat(s.getPropertyValue('--frame-size')), parseFloat(s.getPropertyValue('--offset'))]; })()")
        first = int(start_s * fps)  # 0-based step holding start_s
        last = int(round(end_s * fps)) - 1  # 0-based step ending at end_s
        x0 = box["x"] + offset + (first + 0.5) * size
        x1 = box["x"] + offset + (last + 0.5) * size
        if x1 > box["x"] + box["width"]:
            raise RuntimeError(f"the timeline shows {box['width']:.0f} px; widen the page to reach {end_s} s")
        y = box["y"] + 0.6 * box["height"]
        self.page.mouse.move(x0, y)
        self.page.mouse.down()
        self.page.mouse.move((x0 + x1) / 2, y, steps=5)
        self.page.mouse.move(x1, y, steps=5)
        self.page.mouse.up()
        self.keys += 2

    def click_seek(self, second: float, timeout_s: float = 20.0) -> float:
        """Click the audio waveform at `second` (it is synced with the video) and return the
        video's time after the click. The waveform ignores clicks until its audio is decoded, so,
        as a person would, click again until the video moves (for at most `timeout_s`)."""
        canvas = self.page.locator("canvas#waveform-layer-main")
        box = canvas.bounding_box()
        duration = self.video().duration
        x, y = box["x"] + box["width"] * second / duration, box["y"] + box["height"] / 2
        deadline = time.monotonic() + timeout_s
        while True:
            self.page.mouse.click(x, y)
            try:
                self.page.wait_for_function("(() => document.querySelector('video').currentTime > 0)()",
                                            timeout=1000)
                break
            except PlaywrightTimeout:
                if time.monotonic() > deadline:
                    break
        self.page.wait_for_timeout(300)  # let the synced players settle on the new time
        return self.video().current_time

    def submit(self) -> None:
        """Ctrl+Enter (Label Studio's own key) and wait for the answer to be saved."""
        self.focus_page()
        with self.page.expect_response(lambda r: "/api/tasks/" in r.url and "/annotations" in r.url
                                       and r.request.method == "POST"):
            self.page.keyboard.press("Control+Enter")
        self.keys += 1

    def screenshot(self, path) -> None:
        self.page.screenshot(path=str(path))
