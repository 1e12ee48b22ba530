"""households: the applicant's name and phone, so a centre can find a household by them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing households get an empty name and no phone: nothing recorded them before.
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("applicant_name", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("phone", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_households_name_key"), ["name_key"])
        batch_op.create_index(batch_op.f("ix_households_phone"), ["phone"])


def downgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_phone"))
        batch_op.drop_index(batch_op.f("ix_households_name_key"))
        batch_op.drop_column("phone")
        batch_op.drop_column("name_key")
        batch_op.drop_column("applicant_name")
