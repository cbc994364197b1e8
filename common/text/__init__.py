"""Pure text functions for Chinese (segmentation with the domain dictionary, index text,
highlighting, similarity, reply and drafting checks). Imports no app, so every app may use it."""
