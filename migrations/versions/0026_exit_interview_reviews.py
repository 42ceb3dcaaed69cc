"""exit interview reviews: the answer of a named exit interview set against the census's exit reason, and what
the reviewer decided (confirmed, set, replaced or kept)

Revision ID: 0026
Revises: 0028
Create Date: 2026-12-03 11:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'exit_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.String(length=32), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('given_reason_id', sa.Integer(), nullable=False),
        sa.Column('census_reason_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.Enum('confirmed', 'set', 'replaced', 'kept', name='reviewoutcome',
                                     native_enum=False, length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id']),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id']),
        sa.ForeignKeyConstraint(['given_reason_id'], ['exit_reasons.id']),
        sa.ForeignKeyConstraint(['census_reason_id'], ['exit_reasons.id']),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('response_id'),
    )
    op.create_index('ix_exit_reviews_client_id', 'exit_reviews', ['client_id'])


def downgrade():
    op.drop_index('ix_exit_reviews_client_id', table_name='exit_reviews')
    op.drop_table('exit_reviews')
