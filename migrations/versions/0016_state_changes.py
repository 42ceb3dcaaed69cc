"""state changes: the history of the states and dates evidence depends on (who, when, from, to, reason)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'state_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_kind', sa.String(length=40), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('from_value', sa.String(length=40), nullable=True),
        sa.Column('to_value', sa.String(length=40), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_state_changes_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_state_changes')),
    )
    op.create_index('ix_state_changes_record', 'state_changes', ['record_kind', 'record_id'], unique=False)


def downgrade():
    op.drop_index('ix_state_changes_record', table_name='state_changes')
    op.drop_table('state_changes')
