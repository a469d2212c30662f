"""A handheld scanner in keyboard mode, for browser tests: Chromium's own trusted key events, each with
the time stamp a scanner would give it, so what the page judges by timing does not depend on this
machine's speed."""

import time


class Scanner:
    """Trusted key events with a handheld scanner's timing (Chromium's CDP ``Input.dispatchKeyEvent``)."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.clock = time.time()

    def _key(self, key: str, at: float) -> None:
        enter = key == "\n"
        down = {"type": "keyDown", "key": "Enter" if enter else key, "code": "Enter" if enter else "",
                "text": "\r" if enter else key, "unmodifiedText": "\r" if enter else key,
                "windowsVirtualKeyCode": 13 if enter else 0, "timestamp": at}  # fmt: skip
        self.cdp.send("Input.dispatchKeyEvent", down)
        up = {k: v for k, v in down.items() if k not in ("text", "unmodifiedText")}
        self.cdp.send("Input.dispatchKeyEvent", {**up, "type": "keyUp", "timestamp": at + 0.002})

    def scan(self, code: str, key_ms: float = 6, line_pause_ms: float = 60, enter: bool = True) -> None:
        """One code: each line a burst ending in Enter, the lines ``line_pause_ms`` apart."""
        at = max(self.clock, time.time())
        for index, line in enumerate(code.split("\n")):
            at += line_pause_ms / 1000 if index else 0
            for key in line + ("\n" if enter else ""):
                self._key(key, at)
                at += key_ms / 1000
        self.clock = at + 1  # the next code comes a second later, by the keys' clock

    def type(self, text: str, key_ms: float = 180) -> None:
        """A person typing."""
        at = max(self.clock, time.time())
        for key in text:
            self._key(key, at)
            at += key_ms / 1000
        self.clock = at + 1
