"""evidence file revisions: when a version was superseded (replaced by a newer one, or the file removed)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence_file_revisions') as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))
    # Every version but the latest of each item was replaced: mark it superseded when its successor came.
    op.execute(
        "UPDATE evidence_file_revisions SET superseded_at = ("
        " SELECT MIN(later.uploaded_at) FROM evidence_file_revisions AS later"
        " WHERE later.item_id = evidence_file_revisions.item_id AND later.number > evidence_file_revisions.number)"
        " WHERE EXISTS (SELECT 1 FROM evidence_file_revisions AS later"
        " WHERE later.item_id = evidence_file_revisions.item_id AND later.number > evidence_file_revisions.number)"
    )


def downgrade():
    with op.batch_alter_table('evidence_file_revisions') as batch_op:
        batch_op.drop_column('superseded_at')
