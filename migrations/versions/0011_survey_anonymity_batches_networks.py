"""survey anonymity: printed slips, export batches, public-link networks and exclusions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:20:00

Columns are added with plain ADD COLUMN (no batch copy), so that SQLite keeps the responses and answers
tables ``WITHOUT ROWID``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_survey_exclusions_created_by_id_users')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_exclusions_wave_id_survey_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_exclusions'))
    )
    with op.batch_alter_table('survey_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_exclusions_wave_id'), ['wave_id'], unique=False)

    op.create_table('survey_export_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=False),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_survey_export_releases_released_by_id_users')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_waves.id'], name=op.f('fk_survey_export_releases_wave_id_survey_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_export_releases'))
    )
    with op.batch_alter_table('survey_export_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_export_releases_wave_id'), ['wave_id'], unique=False)

    op.add_column('survey_invitations', sa.Column('printed', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('survey_answers', sa.Column('excluded', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('survey_responses', sa.Column('network', sa.String(length=16), nullable=True))
    op.add_column('survey_responses', sa.Column('batch', sa.Integer(), nullable=True))
    op.create_index('ix_survey_responses_wave_network', 'survey_responses', ['wave_id', 'network'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':  # ADD COLUMN … REFERENCES: no table copy
        op.execute('ALTER TABLE survey_responses ADD COLUMN exclusion_id INTEGER '
                   'CONSTRAINT fk_survey_responses_exclusion_id_survey_exclusions REFERENCES survey_exclusions (id)')
    else:
        op.add_column('survey_responses', sa.Column('exclusion_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_survey_responses_exclusion_id_survey_exclusions'), 'survey_responses',
                              'survey_exclusions', ['exclusion_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':  # SQLite drops the column with its reference
        op.drop_constraint(op.f('fk_survey_responses_exclusion_id_survey_exclusions'), 'survey_responses',
                           type_='foreignkey')
    op.drop_column('survey_responses', 'exclusion_id')
    op.drop_index('ix_survey_responses_wave_network', table_name='survey_responses')
    op.drop_column('survey_responses', 'batch')
    op.drop_column('survey_responses', 'network')
    op.drop_column('survey_answers', 'excluded')
    op.drop_column('survey_invitations', 'printed')
    with op.batch_alter_table('survey_export_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_export_releases_wave_id'))
    op.drop_table('survey_export_releases')
    with op.batch_alter_table('survey_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_exclusions_wave_id'))
    op.drop_table('survey_exclusions')
