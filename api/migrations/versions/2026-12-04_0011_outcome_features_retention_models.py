"""outcome features of placements and decisions (as scored); retention_models

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
MODELS = "retention_models"


def upgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.add_column(sa.Column("outcome_features", sa.JSON(), nullable=True))
    with op.batch_alter_table("placement_decisions") as batch:
        batch.add_column(sa.Column("region_code", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("outcome_features", sa.JSON(), nullable=True))
    op.create_table(
        MODELS,
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("trained_from", sa.Date(), nullable=False),
        sa.Column("trained_to", sa.Date(), nullable=False),
        sa.Column("outcomes", sa.Integer(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f(f"pk_{MODELS}")),
    )
    # At most one active version, whatever two admins do at the same moment.
    op.create_index(
        "uq_retention_models_active",
        MODELS,
        ["active"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )


def downgrade() -> None:
    op.drop_index("uq_retention_models_active", table_name=MODELS)
    op.drop_table(MODELS)
    with op.batch_alter_table("placement_decisions") as batch:
        batch.drop_column("outcome_features")
        batch.drop_column("region_code")
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("outcome_features")
