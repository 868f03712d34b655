"""Documents made from a project (briefings), typeset with Typst — no Qt."""
