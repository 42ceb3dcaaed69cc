"""import value matches: the spellings of the organisation's files remembered as values of the app's lists

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vocabulary', sa.String(length=60), nullable=False),
        sa.Column('spelling', sa.String(length=200), nullable=False),
        sa.Column('folded', sa.String(length=200), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_aliases_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_aliases')),
        sa.UniqueConstraint('vocabulary', 'folded', name=op.f('uq_import_aliases_vocabulary')),
    )
    with op.batch_alter_table('import_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_aliases_vocabulary'), ['vocabulary'], unique=False)


def downgrade():
    with op.batch_alter_table('import_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_aliases_vocabulary'))
    op.drop_table('import_aliases')
