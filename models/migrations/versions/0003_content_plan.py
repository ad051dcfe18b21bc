"""content plan

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:33:59.127621
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=1000), nullable=True),
        sa.Column("requested", sa.String(length=8), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=True),
        sa.Column("evergreen", sa.Boolean(), nullable=False),
        sa.Column("expires_after_seconds", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("origin_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("origin_message_id", sa.BigInteger(), nullable=True),
        sa.Column("origin_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_table(
        "content_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("closes_after_seconds", sa.Integer(), nullable=True),
        sa.Column("closes_at", sa.DateTime(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_content_polls_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_polls")),
        sa.UniqueConstraint("post_id", name=op.f("uq_content_polls_post_id")),
    )
    op.create_table(
        "content_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("auto_slots", sa.Boolean(), nullable=False),
        sa.Column("suggested_slots", sa.JSON(), nullable=True),
        sa.Column("suggested_at", sa.DateTime(), nullable=True),
        sa.Column("ratio_policy", sa.JSON(), nullable=False),
        sa.Column("cadence_warned_on", sa.String(length=10), nullable=True),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_content_targets_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_targets")),
        sa.UniqueConstraint("community_id", name=op.f("uq_content_targets_community_id")),
    )
    op.create_table(
        "giveaways",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("winners_count", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("entrants", sa.JSON(), nullable=True),
        sa.Column("excluded", sa.JSON(), nullable=True),
        sa.Column("winners", sa.JSON(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_giveaways_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_giveaways")),
    )
    op.create_table(
        "post_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=True),
        sa.Column("plan_note", sa.Text(), nullable=True),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("told", sa.String(length=200), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("outbox_key", sa.String(length=200), nullable=True),
        sa.Column("inbound_mark", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.String(length=64), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("poll_ref", sa.String(length=64), nullable=True),
        sa.Column("discussion_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("discussion_thread_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("poll_closes_at", sa.DateTime(), nullable=True),
        sa.Column("poll_closed_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_post_publications_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_publications_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_publications")),
        sa.UniqueConstraint(
            "post_id", "community_id", name=op.f("uq_post_publications_post_id_community_id")
        ),
    )
    with op.batch_alter_table("post_publications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_publications_target_state", ["community_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("post_publications", schema=None) as batch_op:
        batch_op.drop_index("ix_post_publications_target_state")

    op.drop_table("post_publications")
    op.drop_table("giveaways")
    op.drop_table("content_targets")
    op.drop_table("content_polls")
    op.drop_table("posts")
