"""Real-browser tests: the app served on a local port and driven by Debian's headless Chromium."""
