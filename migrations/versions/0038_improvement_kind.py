"""improvements get a kind: an improvement the group chose, or a corrective action answering a reviewer's finding

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 18:00:00

Every improvement stored before corrective actions existed is an improvement (the column's default), so C1, C2
and C3 count what they counted before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('improvements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('improvement', 'corrective', name='improvementkind',
                                                      native_enum=False, length=20),
                                      server_default='improvement', nullable=False))
        batch_op.create_index(batch_op.f('ix_improvements_kind'), ['kind'], unique=False)


def downgrade():
    with op.batch_alter_table('improvements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvements_kind'))
        batch_op.drop_column('kind')
