"""document control of process sheets and periodic reviews: a sheet revision is submitted and approved with an
effective date; sheets, agreements, self-assessments and evidence items may have a review interval; evidence
items a validity date

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03 14:50:00

Sheets stored before document control existed are taken as published: the latest revision of each process is
marked approved by its author, effective from the day it was made, so that A1 (which now counts approved,
current sheets) says what it said before. Nothing gets a review interval or a validity date: nothing is flagged
until someone plans a review.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_process_revisions_submitted_by_id_users'), 'users',
                                    ['submitted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_process_revisions_approved_by_id_users'), 'users',
                                    ['approved_by_id'], ['id'])
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
    with op.batch_alter_table('interfaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval_months', sa.Integer(), nullable=True))
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval_months', sa.Integer(), nullable=True))
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))

    # The latest revision of every sheet is its published version (see the docstring).
    revisions = sa.table('process_revisions', sa.column('id', sa.Integer), sa.column('process_id', sa.Integer),
                         sa.column('number', sa.Integer), sa.column('created_at', sa.DateTime),
                         sa.column('author_id', sa.Integer), sa.column('approved_at', sa.DateTime),
                         sa.column('approved_by_id', sa.Integer), sa.column('effective_on', sa.Date))
    connection = op.get_bind()
    latest = sa.select(sa.func.max(revisions.c.id)).group_by(revisions.c.process_id)
    rows = connection.execute(sa.select(revisions.c.id, revisions.c.created_at, revisions.c.author_id)
                              .where(revisions.c.id.in_(latest))).all()
    for revision_id, created_at, author_id in rows:
        connection.execute(revisions.update().where(revisions.c.id == revision_id).values(
            approved_at=created_at, approved_by_id=author_id,
            effective_on=created_at.date() if created_at is not None else None))


def downgrade():
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_column('valid_until')
        batch_op.drop_column('reviewed_on')
        batch_op.drop_column('review_interval_months')
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_column('review_interval_months')
    with op.batch_alter_table('interfaces', schema=None) as batch_op:
        batch_op.drop_column('review_interval_months')
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_column('reviewed_on')
        batch_op.drop_column('review_interval_months')
    with op.batch_alter_table('process_revisions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_process_revisions_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_process_revisions_submitted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('effective_on')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('submitted_at')
