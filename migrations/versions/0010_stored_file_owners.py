"""stored files know their owner; import uploads are kept only while pending

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:20:00

Each stored file records the kind of record that owns it (``stored_files.owner``, was ``purpose``), backfilled
from the tables that refer to it. Import uploads are now deleted once applied: the files of applied census
imports go (their name, size and SHA-256 stay on ``census_imports``), and so do the uploads of complaint,
measurement and survey-response imports that no table refers to — those could not be told apart, were read
by an import already applied or left unfinished, and may name survey respondents. Someone in the middle of
such an import uploads the file again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

#: Owner kind → (table, column) referring to stored_files.
REFERENCES = {
    'organisation-logo': ('organisations', 'logo_id'),
    'evidence-item': ('evidence_file_revisions', 'file_id'),
    'evidence-pack': ('evidence_pack_snapshots', 'file_id'),
    'process-document': ('process_documents', 'file_id'),
    'improvement-evidence': ('improvement_evidence', 'file_id'),
    'training-material': ('improvement_trainings', 'material_file_id'),
    'census-import': ('census_imports', 'stored_file_id'),
}


def upgrade():
    op.create_table('import_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_import_records_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_records'))
    )
    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_records_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_records_target_id'), ['target_id'], unique=False)

    with op.batch_alter_table('census_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))

    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.alter_column('purpose', new_column_name='owner', existing_type=sa.String(length=40),
                              existing_nullable=False)
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_files_owner'), ['owner'], unique=False)

    # Earlier logos, referred to by nothing, keep their kind ('organisation-logo'): only the current one is served.
    for owner, (table, column) in REFERENCES.items():
        op.execute(f"UPDATE stored_files SET owner = '{owner}' WHERE id IN "
                   f"(SELECT {column} FROM {table} WHERE {column} IS NOT NULL)")
    op.execute("UPDATE census_imports SET size = (SELECT size FROM stored_files WHERE stored_files.id = "
               "census_imports.stored_file_id), sha256 = (SELECT sha256 FROM stored_files WHERE "
               "stored_files.id = census_imports.stored_file_id) WHERE stored_file_id IS NOT NULL")
    # Applied census imports keep their summary, not their file.
    op.execute("UPDATE census_imports SET stored_file_id = NULL WHERE imported_at IS NOT NULL")
    op.execute("DELETE FROM stored_files WHERE owner = 'census-import' AND id NOT IN "
               "(SELECT stored_file_id FROM census_imports WHERE stored_file_id IS NOT NULL)")
    # Uploads of the other importers, referred to by nothing (their kind cannot be told).
    op.execute("DELETE FROM stored_files WHERE owner = 'import'")


def downgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_files_owner'))
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.alter_column('owner', new_column_name='purpose', existing_type=sa.String(length=40),
                              existing_nullable=False)
    op.execute("UPDATE stored_files SET purpose = 'evidence' WHERE purpose = 'evidence-item'")
    op.execute("UPDATE stored_files SET purpose = 'improvement-training' WHERE purpose = 'training-material'")
    op.execute("UPDATE stored_files SET purpose = 'import' WHERE purpose IN "
               "('complaint-import', 'measurement-import', 'survey-response-import')")

    with op.batch_alter_table('census_imports', schema=None) as batch_op:
        batch_op.drop_column('sha256')
        batch_op.drop_column('size')

    with op.batch_alter_table('import_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_records_target_id'))
        batch_op.drop_index(batch_op.f('ix_import_records_kind'))

    op.drop_table('import_records')
