"""Text: numbers as LaTeX, and text from outside shown as text."""
