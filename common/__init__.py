"""The shared kernel: pieces every app may use. It imports no app and not the project's wiring."""
