"""inquiry: contacts, service notes, the name and address word index, the phone index

Revision ID: a16b00000001
Revises: a13b00000001
Create Date: 2026-12-02 12:40:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = 'a16b00000001'
down_revision = 'a13b00000001'
branch_labels = None
depends_on = None

CHANNELS = ('counter', 'phone', 'web', 'email', 'letter', 'field')
REASONS = ('bill_question', 'payment', 'meter_reading', 'outage', 'connection', 'tariff_advice', 'complaint', 'other')
OUTCOMES = ('answered', 'call_back', 'request_registered', 'complaint_registered', 'escalated')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True,
                   length=max(len(v) for v in values) + 8)


def upgrade():
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('channel', _enum(CHANNELS, 'contact_channel'), nullable=False),
    sa.Column('reason', _enum(REASONS, 'contactreason'), nullable=False),
    sa.Column('text', sa.String(length=2000), nullable=False),
    sa.Column('outcome', _enum(OUTCOMES, 'contactoutcome'), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('by', sa.String(length=255), nullable=False),
    sa.Column('contacted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_contacts_customer_id_customers')),
    sa.ForeignKeyConstraint(['request_id'], ['customer_requests.id'],
                            name=op.f('fk_contacts_request_id_customer_requests')),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'],
                            name=op.f('fk_contacts_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_sp_at', ['service_point_id', 'contacted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_request_id'), ['request_id'], unique=False)

    op.create_table('service_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('by', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'],
                            name=op.f('fk_service_notes_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_notes'))
    )
    with op.batch_alter_table('service_notes', schema=None) as batch_op:
        batch_op.create_index('ix_service_notes_sp_at', ['service_point_id', 'created_at'], unique=False)

    op.create_table('search_words',
    sa.Column('word', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', 'kind', 'object_id', name=op.f('pk_search_words'))
    )
    with op.batch_alter_table('search_words', schema=None) as batch_op:
        batch_op.create_index('ix_search_words_object', ['kind', 'object_id', 'word'], unique=False)
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_phone', ['phone'], unique=False)
    _index_existing_rows()


def _words(*texts):
    # The migration's own copy of models.inquiry.words.words_of: a revision must not change when the app does.
    found = set()
    for text in texts:
        folded = "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c))
        found |= {w[:40] for w in re.findall(r"[0-9a-z]+", folded.casefold())}
    return found


def _index_existing_rows():
    connection = op.get_bind()
    words = sa.table('search_words', sa.column('word'), sa.column('kind'), sa.column('object_id'))
    for kind, query in (('customer', 'SELECT id, name FROM customers ORDER BY id'),
                        ('property', 'SELECT id, address, city FROM properties ORDER BY id')):
        result = connection.execute(sa.text(query))
        while rows := result.fetchmany(20000):
            values = [{'word': w, 'kind': kind, 'object_id': row[0]} for row in rows for w in _words(*row[1:])]
            if values:
                connection.execute(sa.insert(words), values)


def downgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_phone')
    with op.batch_alter_table('search_words', schema=None) as batch_op:
        batch_op.drop_index('ix_search_words_object')
    op.drop_table('search_words')
    with op.batch_alter_table('service_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_service_notes_sp_at')
    op.drop_table('service_notes')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_request_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))
        batch_op.drop_index('ix_contacts_sp_at')
    op.drop_table('contacts')
