"""audit_log (append-only: triggers refuse UPDATE and DELETE) and household_outcomes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
AUDIT = "audit_log"
OUTCOMES = "household_outcomes"
REFUSAL = "audit_log is append-only"

# The database itself refuses to change or remove an audit row, whatever the client.
POSTGRES_UP = (
    f"""
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL}';
    END;
    $$
    """,
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)
POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
)
SQLITE_UP = tuple(
    f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for event in ("UPDATE", "DELETE")
)
SQLITE_DOWN = tuple(
    f"DROP TRIGGER IF EXISTS audit_log_no_{event}" for event in ("update", "delete")
)


def upgrade() -> None:
    op.create_table(
        AUDIT,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_token_id", sa.Integer(), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("region_code", sa.String(length=2), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{AUDIT}")),
    )
    op.create_index("ix_audit_log_entity_entity_id", AUDIT, ["entity", "entity_id"])
    op.create_index("ix_audit_log_at", AUDIT, ["at"])
    op.create_index("ix_audit_log_actor_name", AUDIT, ["actor_name"])
    for statement in POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP:
        op.execute(statement)

    op.create_table(
        OUTCOMES,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.String(length=64), nullable=True),
        sa.Column("employed_3m", sa.Integer(), nullable=True),
        sa.Column("employed_6m", sa.Integer(), nullable=True),
        sa.Column("employed_12m", sa.Integer(), nullable=True),
        sa.Column("still_resident", sa.Boolean(), nullable=True),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.String(length=12), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=True),
        sa.CheckConstraint(
            "return_reason IS NULL OR return_reason IN "
            "('housing', 'job', 'climate', 'family', 'other')",
            name=op.f(f"ck_{OUTCOMES}_return_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f(f"fk_{OUTCOMES}_household_id_households"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["locality_id"], ["localities.id"], name=op.f(f"fk_{OUTCOMES}_locality_id_localities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{OUTCOMES}")),
        sa.UniqueConstraint("household_id", name=op.f(f"uq_{OUTCOMES}_household_id")),
    )


def downgrade() -> None:
    op.drop_table(OUTCOMES)
    for statement in POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
    op.drop_index("ix_audit_log_actor_name", table_name=AUDIT)
    op.drop_index("ix_audit_log_at", table_name=AUDIT)
    op.drop_index("ix_audit_log_entity_entity_id", table_name=AUDIT)
    op.drop_table(AUDIT)
