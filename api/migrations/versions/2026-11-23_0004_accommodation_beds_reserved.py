"""accommodation-centre beds reserved by committed decisions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHECK = (
    "kindergarten_reserved <= kindergarten_seats AND school_reserved <= school_seats "
    "AND land_plots_reserved <= land_plots"
)
NEW_CHECK = (
    f"{OLD_CHECK} AND accommodation_beds_reserved >= 0 "
    "AND accommodation_beds_reserved <= accommodation_beds"
)


def upgrade() -> None:
    # Existing rows get 0 reserved beds: nothing reserved beds before this revision.
    with op.batch_alter_table("locality_capacities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accommodation_beds_reserved",
                sa.Integer(),
                server_default=sa.text("0"),
                nullable=False,
            )
        )
        batch_op.drop_constraint(op.f("ck_locality_capacities_reserved_within"), type_="check")
        batch_op.create_check_constraint(op.f("ck_locality_capacities_reserved_within"), NEW_CHECK)


def downgrade() -> None:
    with op.batch_alter_table("locality_capacities", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_locality_capacities_reserved_within"), type_="check")
        batch_op.create_check_constraint(op.f("ck_locality_capacities_reserved_within"), OLD_CHECK)
        batch_op.drop_column("accommodation_beds_reserved")
