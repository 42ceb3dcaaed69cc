"""census imports: the year given on upload may be left out (the file's year column), the years imported

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('census_imports', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('figure_years', sa.JSON(), nullable=True))


def downgrade():
    # An import whose figures' year came from the file's column only had no year given: 0 says so.
    op.execute("UPDATE census_imports SET year = 0 WHERE year IS NULL")  # 0: not known
    with op.batch_alter_table('census_imports', schema=None) as batch_op:
        batch_op.drop_column('figure_years')
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
