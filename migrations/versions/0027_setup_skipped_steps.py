"""setup skipped steps: the first-run setup's steps a coordinator left for later

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 11:20:00

A step's being done is read from the data; only the choice to skip one is stored.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'setup_skipped_steps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=30), nullable=False),
        sa.Column('skipped_at', sa.DateTime(), nullable=False),
        sa.Column('skipped_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['skipped_by_id'], ['users.id'], name=op.f('fk_setup_skipped_steps_skipped_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_setup_skipped_steps')),
        sa.UniqueConstraint('step', name=op.f('uq_setup_skipped_steps_step')),
    )


def downgrade():
    op.drop_table('setup_skipped_steps')
