"""Published measurements set beside the theory, as CSV files with one source per row.

Each loader reads one CSV from this folder with pandas, checks its columns and dtypes, and
returns a fresh DataFrame; a malformed file raises ``ValueError`` naming the file and the fault.
Values whose ``how`` is "read from figure" were read off a published plot (about ±0.1 nats for
KL, ±2 points for attack success); "table" values are exact as printed. See README.md here and
the project's EVIDENCE.md. A user's own curve is read by :mod:`evidence.upload`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["kl_by_position", "prefill_asr", "augmentation", "SOURCES", "FOLDER"]

FOLDER = Path(__file__).resolve().parent

_QI = ('Qi, X., Panda, A., Lyu, K., Ma, X., Roy, S., Beirami, A., Mittal, P. & Henderson, P. (2025). '
       '"Safety Alignment Should Be Made More Than Just a Few Tokens Deep." ICLR 2025, arXiv:2406.05946')
_REPRO = ("eric15342335/shallow-vs-deep-alignment (public GitHub repository): an independent reproduction "
          "of Qi et al.'s prefilling attack on Llama-2-7B-Chat, HEx-PHI, n = 330, a different judge model")

SOURCES: dict[str, str] = {
    "qi2025_kl_by_position": f"{_QI}, Figures 1 and 4 (read from figure, ±0.1 nats)",
    "qi2025_prefill_asr": f"{_QI}, Figure 2 (read from figure, ±2 points); and {_REPRO}",
    "qi2025_augmentation": f"{_QI}, Table 2 (mean ± std over 3 runs)",
    "Llama-2-7B-Chat ‖ Llama-2-7B": f"{_QI}, Figure 1",
    "Gemma-1.1-7B-IT ‖ Gemma-7B": f"{_QI}, Figure 1",
    "Llama-2-7B-Chat deepened by recovery augmentation ‖ Llama-2-7B": f"{_QI}, Figure 4",
    "Llama-2-7B (base)": f"{_QI}, Figure 2",
    "Llama-2-7B-Chat": f"{_QI}, Figure 2",
    "Gemma-7B (base)": f"{_QI}, Figure 2",
    "Gemma-1.1-7B-IT": f"{_QI}, Figure 2",
    "Llama-2-7B-Chat (independent reproduction)": _REPRO,
}

_TEXT = {"series", "how", "source"}


def _load(name: str, columns: dict[str, str]) -> pd.DataFrame:
    """Read ``name``.csv and check it has exactly ``columns`` (column -> "int" | "float" | "str")."""
    path = FOLDER / f"{name}.csv"
    try:
        df = pd.read_csv(path, encoding="utf-8", dtype={c: str for c, kind in columns.items() if kind == "str"})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name}: cannot be read as CSV ({exc})") from None
    if list(df.columns) != list(columns):
        raise ValueError(f"{path.name}: columns must be {list(columns)}, got {list(df.columns)}")
    if df.empty:
        raise ValueError(f"{path.name}: has no rows")
    for col, kind in columns.items():
        if df[col].isna().any():
            raise ValueError(f"{path.name}: column {col!r} has empty cells")
        if kind == "str":
            if (df[col].str.strip() == "").any():
                raise ValueError(f"{path.name}: column {col!r} has blank text")
            continue
        values = pd.to_numeric(df[col], errors="coerce")
        if values.isna().any():
            raise ValueError(f"{path.name}: column {col!r} must be numeric, got {df[col][values.isna()].iloc[0]!r}")
        if kind == "int" and (values != values.round()).any():
            raise ValueError(f"{path.name}: column {col!r} must hold whole numbers")
        if (values < 0).any():
            raise ValueError(f"{path.name}: column {col!r} must not be negative")
        df[col] = values.astype("int64" if kind == "int" else "float64")
    return df


def kl_by_position() -> pd.DataFrame:
    """Per-token KL(aligned ‖ base) in nats at response positions t = 1..20 (Qi et al. Figures 1, 4).

    Columns ``series, t, kl_nats, uncertainty_nats, how, source``; three series.
    """
    df = _load("qi2025_kl_by_position", {"series": "str", "t": "int", "kl_nats": "float",
                                         "uncertainty_nats": "float", "how": "str", "source": "str"})
    if (df["t"] < 1).any() or not (df["uncertainty_nats"] > 0).all():
        raise ValueError("qi2025_kl_by_position.csv: positions must be >= 1 and uncertainties > 0")
    return df


def prefill_asr() -> pd.DataFrame:
    """Prefilling-attack success rate (%) against prefilled harmful tokens k (Qi et al. Figure 2,
    and an independent reproduction). Columns ``series, k, asr_percent, uncertainty_percent, how, source``.
    """
    df = _load("qi2025_prefill_asr", {"series": "str", "k": "int", "asr_percent": "float",
                                      "uncertainty_percent": "float", "how": "str", "source": "str"})
    if (df["asr_percent"] > 100).any() or not (df["uncertainty_percent"] > 0).all():
        raise ValueError("qi2025_prefill_asr.csv: rates must be in [0, 100] and uncertainties > 0")
    return df


def augmentation() -> pd.DataFrame:
    """Attack success (%) before and after recovery augmentation by prefilled tokens (Qi et al. Table 2).

    Columns ``prefill_tokens, asr_initial_percent, std_initial_percent, asr_after_percent,
    std_after_percent, how, source`` (mean and std over 3 runs).
    """
    df = _load("qi2025_augmentation", {"prefill_tokens": "int", "asr_initial_percent": "float",
                                       "std_initial_percent": "float", "asr_after_percent": "float",
                                       "std_after_percent": "float", "how": "str", "source": "str"})
    if (df[["asr_initial_percent", "asr_after_percent"]] > 100).any().any():
        raise ValueError("qi2025_augmentation.csv: rates must be in [0, 100]")
    return df
