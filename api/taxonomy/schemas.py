"""Request and response bodies of the clerks' corrections (``/taxonomy/corrections``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.core.schemas import StrictBody, UtcDateTime

Kind = Literal["occupation", "skill"]
AliasLang = Literal["kk", "kk_latn", "ru", "en"]
Status = Literal["pending", "approved", "rejected"]


class CorrectionIn(StrictBody):
    text: Annotated[str, Field(min_length=1, max_length=300, description="The title as written.")]
    kind: Kind = "occupation"
    lang: AliasLang | None = Field(
        default=None,
        description="Language of the title (default: from its script and the response language).",
    )
    code: Annotated[
        str, Field(min_length=1, max_length=60, description="The taxonomy code it should map to.")
    ]


class CorrectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Kind
    text: str
    lang: str
    code: str
    label: str = Field(description="The code's title in the response language.")
    answered_code: str | None = Field(
        description="What the normalizer answered for the text when proposed (null: it abstained)."
    )
    source: Literal["api", "page"]
    status: Status
    created_role: str
    created_name: str
    created_token_id: int | None
    created_user_id: int | None
    created_at: UtcDateTime
    reviewed_name: str | None
    reviewed_token_id: int | None
    reviewed_user_id: int | None
    reviewed_at: UtcDateTime | None
