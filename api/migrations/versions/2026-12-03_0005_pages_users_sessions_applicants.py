"""pages: web users and sessions, applicant access links, consents, decisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 11:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=2), nullable=True),
        sa.Column("preferred_lang", sa.String(length=2), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint(
            "role != 'centre' OR region_code IS NOT NULL",
            name=op.f("ck_web_users_centre_has_region"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'planner', 'centre')", name=op.f("ck_web_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_web_users_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
        sa.UniqueConstraint("username", name=op.f("uq_web_users_username")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.CheckConstraint(
            "(user_id IS NULL) != (household_id IS NULL)",
            name=op.f("ck_web_sessions_one_kind_of_holder"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_web_sessions_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_web_sessions_user_id_web_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index(op.f("ix_web_sessions_household_id"), "web_sessions", ["household_id"])
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "applicant_access_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_applicant_access_links_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_access_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_applicant_access_links_token_hash")),
    )
    op.create_index(
        op.f("ix_applicant_access_links_household_id"), "applicant_access_links", ["household_id"]
    )
    op.create_table(
        "applicant_consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("text_version", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("given_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_applicant_consents_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_consents")),
        sa.UniqueConstraint(
            "household_id",
            "text_version",
            name=op.f("uq_applicant_consents_household_id_text_version"),
        ),
    )
    op.create_table(
        "applicant_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("locality_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("decided_at", TZ, nullable=False),
        sa.CheckConstraint(
            "decision IN ('accept', 'decline')", name=op.f("ck_applicant_decisions_decision")
        ),
        sa.CheckConstraint(
            "reason IS NULL OR reason IN "
            "('job', 'home', 'climate', 'far_from_family', 'services', 'other')",
            name=op.f("ck_applicant_decisions_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_applicant_decisions_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["locality_id"],
            ["localities.id"],
            name=op.f("fk_applicant_decisions_locality_id_localities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_decisions")),
    )
    op.create_index(
        op.f("ix_applicant_decisions_household_id"), "applicant_decisions", ["household_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_applicant_decisions_household_id"), table_name="applicant_decisions")
    op.drop_table("applicant_decisions")
    op.drop_table("applicant_consents")
    op.drop_index(
        op.f("ix_applicant_access_links_household_id"), table_name="applicant_access_links"
    )
    op.drop_table("applicant_access_links")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_household_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_users")
