"""The team's reference data (``../shared/data`` beside the checkout), read in place, never copied.

A clone elsewhere (CI clones main into a temporary directory) finds it through SHARED_DATA_DIR
or at the machine's usual place, /work/shared/data.
"""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    candidates = [
        os.environ.get("SHARED_DATA_DIR"),
        _CHECKOUT.parent / "shared" / "data",
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return _CHECKOUT.parent / "shared" / "data"
