"""Path parameters shared by several routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MunicipalityPath = Annotated[str, Path(pattern=r"^\d{4}$", examples=["1980"])]
