"""initial tables: screenings, packs, officer decisions, keys, idempotency, audit log

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('zones', sa.Text(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    op.create_table('audit_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('hash')
    )
    op.create_table('blobs',
    sa.Column('digest', sa.String(length=71), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('digest')
    )
    op.create_table('packs',
    sa.Column('hash', sa.String(length=71), nullable=False),
    sa.Column('pack_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hash')
    )
    op.create_table('pack_files',
    sa.Column('pack_hash', sa.String(length=71), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('blob', sa.String(length=71), nullable=False),
    sa.ForeignKeyConstraint(['blob'], ['blobs.digest'], ),
    sa.ForeignKeyConstraint(['pack_hash'], ['packs.hash'], ),
    sa.PrimaryKeyConstraint('pack_hash', 'path')
    )
    op.create_table('screenings',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_key_id', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('zone', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('industry_code', sa.String(length=10), nullable=False),
    sa.Column('project_code', sa.String(length=100), nullable=True),
    sa.Column('screening_date', sa.Date(), nullable=False),
    sa.Column('pack_id', sa.String(length=100), nullable=False),
    sa.Column('pack_version', sa.String(length=100), nullable=False),
    sa.Column('pack_hash', sa.String(length=71), nullable=False),
    sa.Column('proposal', sa.LargeBinary(), nullable=False),
    sa.Column('proposal_digest', sa.String(length=71), nullable=False),
    sa.Column('verdict', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['pack_hash'], ['packs.hash'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('id')
    )
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.create_index('ix_screenings_decision', ['decision'], unique=False)
        batch_op.create_index('ix_screenings_reference', ['reference'], unique=False)
        batch_op.create_index('ix_screenings_zone_seq', ['zone', 'seq'], unique=False)

    op.create_table('idempotency_keys',
    sa.Column('client_key_id', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('body_digest', sa.String(length=71), nullable=False),
    sa.Column('screening_id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], ),
    sa.PrimaryKeyConstraint('client_key_id', 'key')
    )
    op.create_table('officer_decisions',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('screening_id', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=False),
    sa.Column('client_key_id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('id')
    )
    with op.batch_alter_table('officer_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_decisions_screening_id'), ['screening_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('officer_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_decisions_screening_id'))

    op.drop_table('officer_decisions')
    op.drop_table('idempotency_keys')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_index('ix_screenings_zone_seq')
        batch_op.drop_index('ix_screenings_reference')
        batch_op.drop_index('ix_screenings_decision')

    op.drop_table('screenings')
    op.drop_table('pack_files')
    op.drop_table('packs')
    op.drop_table('blobs')
    op.drop_table('audit_log')
    op.drop_table('api_keys')
