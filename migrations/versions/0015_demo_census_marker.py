"""census imports: the demo's own census is marked as the demo's, and records when its clients were removed

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Existing imports are not marked: which one the demo wrote is not guessed from its file name. A database
    # loaded with an older demo gets the marker by loading the demo again (``flask demo --reset``).
    with op.batch_alter_table('census_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('removed', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('census_imports', schema=None) as batch_op:
        batch_op.drop_column('removed')
        batch_op.drop_column('removed_at')
        batch_op.drop_column('demo')
