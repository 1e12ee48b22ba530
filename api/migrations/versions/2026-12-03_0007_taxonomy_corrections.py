"""taxonomy_corrections: clerks' corrections of normalized titles and their review

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
TABLE = "taxonomy_corrections"
# Who proposed and who reviewed: an API token or a staff user (kept as NULL if deleted).
FOREIGN_KEYS = (
    ("created_token_id", "api_tokens"),
    ("created_user_id", "web_users"),
    ("reviewed_token_id", "api_tokens"),
    ("reviewed_user_id", "web_users"),
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("text_key", sa.String(length=300), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("answered_code", sa.String(length=60), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("created_token_id", sa.Integer(), nullable=True),
        sa.Column("created_user_id", sa.Integer(), nullable=True),
        sa.Column("created_role", sa.String(length=16), nullable=False),
        sa.Column("created_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("reviewed_token_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_user_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_name", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f(f"ck_{TABLE}_status")
        ),
        sa.CheckConstraint("kind IN ('occupation', 'skill')", name=op.f(f"ck_{TABLE}_kind")),
        sa.CheckConstraint("source IN ('api', 'page')", name=op.f(f"ck_{TABLE}_source")),
        sa.CheckConstraint(
            "(status = 'pending') = (reviewed_at IS NULL)",
            name=op.f(f"ck_{TABLE}_reviewed_when_decided"),
        ),
        *(
            sa.ForeignKeyConstraint(
                [column], [f"{target}.id"], name=op.f(f"fk_{TABLE}_{column}_{target}"),
                ondelete="SET NULL",
            )  # fmt: skip
            for column, target in FOREIGN_KEYS
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index("ix_taxonomy_corrections_status_id", TABLE, ["status", "id"])
    op.create_index("ix_taxonomy_corrections_kind_text_key", TABLE, ["kind", "text_key"])


def downgrade() -> None:
    op.drop_index("ix_taxonomy_corrections_kind_text_key", table_name=TABLE)
    op.drop_index("ix_taxonomy_corrections_status_id", table_name=TABLE)
    op.drop_table(TABLE)
