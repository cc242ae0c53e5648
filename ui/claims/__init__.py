"""Sentences computed from numbers: each function takes the numbers a page shows and returns the
sentence that states them, its verb, case and headline chosen from the numbers with a stated
tolerance. Pure (no Streamlit); pages only place what these return, and tests/test_claims.py
sweeps each function over the domain a user can reach against an independent computation.

One module a page: ``deep`` (Deep alignment), ``evidence`` (Evidence), ``methods`` (Methods lab), ``toy`` (the toy-model
pages' controls, the Gradients and Shallow equilibrium pages), ``robustness`` (Robustness & attacks),
``derivations`` (Derivations). Tables go through ``ui.text.markdown.table``.
Citations name results of ``theory.paper``.
"""


def bold(sentence: str) -> str:
    """A headline sentence as bold markdown; its own asterisks (r*, q*, L*) escaped, so they
    neither end the bold nor start italics."""
    return "**" + sentence.replace("*", "\\*") + "**"
