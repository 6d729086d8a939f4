"""core data model: customers, premises, contracts, tariffs, meters, users, audit

Hand-reviewed: timestamps are plain timezone-aware DateTime (the app's UTCDateTime
decorates them), and the tariff-version exclusion constraint is PostgreSQL-only.

Revision ID: 403a861f1513
Revises: 
Create Date: 2026-11-28 03:39:50.212050

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '403a861f1513'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=60), nullable=False),
    sa.Column('action', sa.Enum('insert', 'update', 'delete', 'bulk', name='auditaction', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('control_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.Enum('circuit_breaker', 'limiter', name='controldevicekind', native_enum=False, create_constraint=True, length=23), nullable=False),
    sa.Column('rating_amperes', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('phases', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('rating_amperes > 0', name=op.f('ck_control_devices_rating_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_control_devices')),
    sa.UniqueConstraint('serial', name=op.f('uq_control_devices_serial'))
    )
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('person', 'organisation', name='customerkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_name'), ['name'], unique=False)

    op.create_table('meter_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manufacturer', sa.String(length=100), nullable=False),
    sa.Column('model_code', sa.String(length=50), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.Column('phases', sa.SmallInteger(), nullable=False),
    sa.Column('digits', sa.SmallInteger(), nullable=False),
    sa.Column('time_of_use', sa.Boolean(), nullable=False),
    sa.Column('calibration_interval_months', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('calibration_interval_months > 0', name=op.f('ck_meter_models_interval_positive')),
    sa.CheckConstraint('digits BETWEEN 3 AND 12', name=op.f('ck_meter_models_digits_range')),
    sa.CheckConstraint('phases IN (1, 3)', name=op.f('ck_meter_models_phases_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_models')),
    sa.UniqueConstraint('manufacturer', 'model_code', name=op.f('uq_meter_models_manufacturer_model_code'))
    )
    op.create_table('properties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.CheckConstraint('latitude IS NULL OR (latitude BETWEEN -90 AND 90)', name=op.f('ck_properties_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR (longitude BETWEEN -180 AND 180)', name=op.f('ck_properties_longitude_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_properties'))
    )
    with op.batch_alter_table('properties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_properties_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_properties_city'), ['city'], unique=False)

    op.create_table('reading_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('scheduled_day', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('scheduled_day BETWEEN 1 AND 28', name=op.f('ck_reading_routes_scheduled_day_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_routes')),
    sa.UniqueConstraint('code', name=op.f('uq_reading_routes_code'))
    )
    with op.batch_alter_table('reading_routes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reading_routes_area'), ['area'], unique=False)

    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('permissions', sa.JSON(), nullable=True),
    sa.Column('update_datetime', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('name', name=op.f('uq_roles_name'))
    )
    op.create_table('stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('central', 'district', 'laboratory', 'field_crew', name='storekind', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stores')),
    sa.UniqueConstraint('code', name=op.f('uq_stores_code'))
    )
    op.create_table('tariffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('tariff_class', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('voltage', sa.Enum('TR', 'TM', 'TT', name='supplyvoltage', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('payment_mode', sa.Enum('postpaid', 'prepaid', name='paymentmode', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('min_power_va', sa.Integer(), nullable=True),
    sa.Column('max_power_va', sa.Integer(), nullable=True),
    sa.Column('time_of_use', sa.Boolean(), nullable=False),
    sa.CheckConstraint('max_power_va IS NULL OR min_power_va IS NULL OR max_power_va >= min_power_va', name=op.f('ck_tariffs_power_range_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariffs')),
    sa.UniqueConstraint('code', name=op.f('uq_tariffs_code'))
    )
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tariffs_tariff_class'), ['tariff_class'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=True),
    sa.Column('password', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('fs_uniquifier', sa.String(length=64), nullable=False),
    sa.Column('fs_token_uniquifier', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_ip', sa.String(length=64), nullable=True),
    sa.Column('current_login_ip', sa.String(length=64), nullable=True),
    sa.Column('login_count', sa.Integer(), nullable=True),
    sa.Column('create_datetime', sa.DateTime(timezone=True), nullable=False),
    sa.Column('update_datetime', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('fs_token_uniquifier', name=op.f('uq_users_fs_token_uniquifier')),
    sa.UniqueConstraint('fs_uniquifier', name=op.f('uq_users_fs_uniquifier'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_no', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('payer_name', sa.String(length=200), nullable=False),
    sa.Column('billing_address', sa.String(length=300), nullable=False),
    sa.Column('payment_method', sa.Enum('standard', 'direct_debit', name='paymentmethod', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_accounts_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('account_no', name=op.f('uq_accounts_account_no'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_customer_id'), ['customer_id'], unique=False)

    op.create_table('identity_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.Enum('national_id', 'drivers_licence', 'passport', 'tax_number', 'family_card', 'company_registration', name='identitydocumenttype', native_enum=False, create_constraint=True, length=28), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_identity_documents_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_documents')),
    sa.UniqueConstraint('doc_type', 'number', name=op.f('uq_identity_documents_doc_type_number'))
    )
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_documents_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_documents_number'), ['number'], unique=False)

    op.create_table('meter_chambers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('feeder', sa.String(length=40), nullable=True),
    sa.Column('transformer', sa.String(length=40), nullable=True),
    sa.Column('location_note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_meter_chambers_property_id_properties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_chambers')),
    sa.UniqueConstraint('code', name=op.f('uq_meter_chambers_code'))
    )
    with op.batch_alter_table('meter_chambers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_chambers_property_id'), ['property_id'], unique=False)

    op.create_table('meters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('in_store', 'in_transit', 'in_lab', 'installed', 'rejected', 'scrapped', name='meterstatus', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=True),
    sa.Column('manufactured_year', sa.SmallInteger(), nullable=True),
    sa.Column('last_calibrated_on', sa.Date(), nullable=True),
    sa.Column('next_calibration_due', sa.Date(), nullable=True),
    sa.CheckConstraint("status <> 'in_store' OR store_id IS NOT NULL", name=op.f('ck_meters_stored_has_store')),
    sa.CheckConstraint('next_calibration_due IS NULL OR last_calibrated_on IS NULL OR next_calibration_due > last_calibrated_on', name=op.f('ck_meters_calibration_dates_ordered')),
    sa.ForeignKeyConstraint(['model_id'], ['meter_models.id'], name=op.f('fk_meters_model_id_meter_models')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_meters_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meters')),
    sa.UniqueConstraint('number', name=op.f('uq_meters_number'))
    )
    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.create_index('ix_meters_due_store', ['next_calibration_due', 'store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meters_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meters_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_meters_store_id'), ['store_id'], unique=False)

    op.create_table('roles_users',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_roles_users_role_id_roles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roles_users_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role_id', name=op.f('pk_roles_users'))
    )
    op.create_table('tariff_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tariff_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('rounding_rule', sa.Enum('half_up', 'down', 'half_even', 'none', name='roundingrule', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('rounding_unit', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('legal_basis', sa.String(length=200), nullable=True),
    sa.CheckConstraint('effective_to IS NULL OR effective_to > effective_from', name=op.f('ck_tariff_versions_dates_ordered')),
    sa.CheckConstraint('rounding_unit > 0', name=op.f('ck_tariff_versions_rounding_unit_positive')),
    sa.ForeignKeyConstraint(['tariff_id'], ['tariffs.id'], name=op.f('fk_tariff_versions_tariff_id_tariffs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_versions')),
    sa.UniqueConstraint('tariff_id', 'effective_from', name=op.f('uq_tariff_versions_tariff_id_effective_from'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # Versions of one tariff never overlap; SQLite relies on the operation's check alone.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute("ALTER TABLE tariff_versions ADD CONSTRAINT ex_tariff_versions_no_overlap "
                   "EXCLUDE USING gist (tariff_id WITH =, daterange(effective_from, effective_to, '[)') WITH &&)")
    with op.batch_alter_table('tariff_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tariff_versions_tariff_id'), ['tariff_id'], unique=False)

    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('bank', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_bank_accounts_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_accounts')),
    sa.UniqueConstraint('account_id', name=op.f('uq_bank_accounts_account_id'))
    )
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_accounts_number'), ['number'], unique=False)

    op.create_table('meter_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chamber_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['chamber_id'], ['meter_chambers.id'], name=op.f('fk_meter_points_chamber_id_meter_chambers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_points')),
    sa.UniqueConstraint('chamber_id', 'position', name=op.f('uq_meter_points_chamber_id_position'))
    )
    with op.batch_alter_table('meter_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_points_chamber_id'), ['chamber_id'], unique=False)

    op.create_table('registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('usage_type', sa.Enum('active', 'active_wbp', 'active_lwbp', 'reactive', 'demand', name='usagetype', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('digits', sa.SmallInteger(), nullable=False),
    sa.Column('decimals', sa.SmallInteger(), nullable=False),
    sa.Column('multiplier', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.CheckConstraint('decimals BETWEEN 0 AND 4', name=op.f('ck_registers_decimals_range')),
    sa.CheckConstraint('digits BETWEEN 3 AND 12', name=op.f('ck_registers_digits_range')),
    sa.CheckConstraint('multiplier > 0', name=op.f('ck_registers_multiplier_positive')),
    sa.ForeignKeyConstraint(['meter_id'], ['meters.id'], name=op.f('fk_registers_meter_id_meters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registers')),
    sa.UniqueConstraint('meter_id', 'code', name=op.f('uq_registers_meter_id_code'))
    )
    with op.batch_alter_table('registers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registers_meter_id'), ['meter_id'], unique=False)

    op.create_table('tariff_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('fixed_per_kva', 'energy', 'demand', 'reactive_excess', 'minimum_bill', 'tax', 'stamp_duty', name='componentkind', native_enum=False, create_constraint=True, length=23), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('tou_period', sa.Enum('all', 'wbp', 'lwbp', name='touperiod', native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('block_from', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('block_to', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('rate', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('factor', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('threshold_ratio', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('hours', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('percentage', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('tax_base', sa.Enum('electricity', 'total', name='taxbase', native_enum=False, create_constraint=True, length=19), nullable=True),
    sa.Column('threshold', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=6), nullable=True),
    sa.CheckConstraint("kind <> 'energy' OR rate IS NOT NULL OR factor IS NOT NULL", name=op.f('ck_tariff_components_energy_priced')),
    sa.CheckConstraint("kind <> 'minimum_bill' OR hours IS NOT NULL", name=op.f('ck_tariff_components_minimum_hours')),
    sa.CheckConstraint("kind <> 'stamp_duty' OR (threshold IS NOT NULL AND amount IS NOT NULL)", name=op.f('ck_tariff_components_stamp_duty_complete')),
    sa.CheckConstraint("kind <> 'tax' OR percentage IS NOT NULL", name=op.f('ck_tariff_components_tax_percentage')),
    sa.CheckConstraint("kind NOT IN ('fixed_per_kva', 'demand', 'reactive_excess') OR rate IS NOT NULL", name=op.f('ck_tariff_components_rate_required')),
    sa.CheckConstraint('block_to IS NULL OR block_from IS NULL OR block_to > block_from', name=op.f('ck_tariff_components_block_ordered')),
    sa.CheckConstraint('factor IS NULL OR factor > 0', name=op.f('ck_tariff_components_factor_positive')),
    sa.CheckConstraint('percentage IS NULL OR (percentage >= 0 AND percentage <= 100)', name=op.f('ck_tariff_components_percentage_range')),
    sa.CheckConstraint('rate IS NULL OR rate >= 0', name=op.f('ck_tariff_components_rate_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['tariff_versions.id'], name=op.f('fk_tariff_components_version_id_tariff_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tariff_components'))
    )
    with op.batch_alter_table('tariff_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tariff_components_version_id'), ['version_id'], unique=False)

    op.create_table('service_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spn', sa.String(length=20), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('meter_point_id', sa.Integer(), nullable=True),
    sa.Column('route_id', sa.Integer(), nullable=True),
    sa.Column('itinerary', sa.String(length=20), nullable=True),
    sa.Column('reading_sequence', sa.Integer(), nullable=True),
    sa.Column('supply_voltage', sa.Enum('TR', 'TM', 'TT', name='supplyvoltage', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('feeder', sa.String(length=40), nullable=True),
    sa.Column('transformer', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('planned', 'active', 'disconnected', 'retired', name='servicepointstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.CheckConstraint('reading_sequence IS NULL OR reading_sequence > 0', name=op.f('ck_service_points_reading_sequence_positive')),
    sa.ForeignKeyConstraint(['meter_point_id'], ['meter_points.id'], name=op.f('fk_service_points_meter_point_id_meter_points')),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], name=op.f('fk_service_points_property_id_properties')),
    sa.ForeignKeyConstraint(['route_id'], ['reading_routes.id'], name=op.f('fk_service_points_route_id_reading_routes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_points')),
    sa.UniqueConstraint('meter_point_id', name=op.f('uq_service_points_meter_point_id')),
    sa.UniqueConstraint('spn', name=op.f('uq_service_points_spn'))
    )
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_points_property_id'), ['property_id'], unique=False)
        batch_op.create_index('ix_service_points_route_sequence', ['route_id', 'reading_sequence'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_points_status'), ['status'], unique=False)

    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.SmallInteger(), nullable=False),
    sa.Column('customer_no', sa.String(length=12), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'terminated', name='contractstatus', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.CheckConstraint('serial > 0', name=op.f('ck_contracts_serial_positive')),
    sa.CheckConstraint('terminated_on IS NULL OR terminated_on >= registered_on', name=op.f('ck_contracts_dates_ordered')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_contracts_account_id_accounts')),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_contracts_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('customer_no', name=op.f('uq_contracts_customer_no')),
    sa.UniqueConstraint('service_point_id', 'serial', name=op.f('uq_contracts_service_point_id_serial'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_service_point_id'), ['service_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_status'), ['status'], unique=False)

    op.create_table('installations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_point_id', sa.Integer(), nullable=False),
    sa.Column('meter_point_id', sa.Integer(), nullable=True),
    sa.Column('meter_id', sa.Integer(), nullable=True),
    sa.Column('control_device_id', sa.Integer(), nullable=True),
    sa.Column('installed_on', sa.Date(), nullable=False),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.CheckConstraint('(meter_id IS NULL) <> (control_device_id IS NULL)', name=op.f('ck_installations_one_device')),
    sa.CheckConstraint('removed_on IS NULL OR removed_on >= installed_on', name=op.f('ck_installations_dates_ordered')),
    sa.ForeignKeyConstraint(['control_device_id'], ['control_devices.id'], name=op.f('fk_installations_control_device_id_control_devices')),
    sa.ForeignKeyConstraint(['meter_id'], ['meters.id'], name=op.f('fk_installations_meter_id_meters')),
    sa.ForeignKeyConstraint(['meter_point_id'], ['meter_points.id'], name=op.f('fk_installations_meter_point_id_meter_points')),
    sa.ForeignKeyConstraint(['service_point_id'], ['service_points.id'], name=op.f('fk_installations_service_point_id_service_points')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installations'))
    )
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_installations_control_device_id'), ['control_device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_installations_meter_id'), ['meter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_installations_meter_point_id'), ['meter_point_id'], unique=False)
        batch_op.create_index('ix_installations_sp_dates', ['service_point_id', 'installed_on'], unique=False)

    op.create_table('contract_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('version_no', sa.SmallInteger(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('tariff_id', sa.Integer(), nullable=False),
    sa.Column('contracted_power_va', sa.Integer(), nullable=False),
    sa.Column('contract_type', sa.Enum('permanent', 'temporary', 'prepaid', name='contracttype', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('reading_cycle', sa.Enum('monthly', 'bimonthly', name='reading_cycle', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('billing_cycle', sa.Enum('monthly', 'bimonthly', name='billing_cycle', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('late_penalty_percent', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('penalty_grace_days', sa.Integer(), nullable=False),
    sa.Column('change_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('contracted_power_va > 0', name=op.f('ck_contract_versions_power_positive')),
    sa.CheckConstraint('late_penalty_percent >= 0 AND late_penalty_percent <= 100', name=op.f('ck_contract_versions_penalty_range')),
    sa.CheckConstraint('penalty_grace_days >= 0', name=op.f('ck_contract_versions_grace_not_negative')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name=op.f('ck_contract_versions_dates_ordered')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_versions_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tariff_id'], ['tariffs.id'], name=op.f('fk_contract_versions_tariff_id_tariffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_versions')),
    sa.UniqueConstraint('contract_id', 'version_no', name=op.f('uq_contract_versions_contract_id_version_no'))
    )
    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_versions_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_versions_tariff_id'), ['tariff_id'], unique=False)



def downgrade():
    with op.batch_alter_table('contract_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_versions_tariff_id'))
        batch_op.drop_index(batch_op.f('ix_contract_versions_contract_id'))

    op.drop_table('contract_versions')
    with op.batch_alter_table('installations', schema=None) as batch_op:
        batch_op.drop_index('ix_installations_sp_dates')
        batch_op.drop_index(batch_op.f('ix_installations_meter_point_id'))
        batch_op.drop_index(batch_op.f('ix_installations_meter_id'))
        batch_op.drop_index(batch_op.f('ix_installations_control_device_id'))

    op.drop_table('installations')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_status'))
        batch_op.drop_index(batch_op.f('ix_contracts_service_point_id'))
        batch_op.drop_index(batch_op.f('ix_contracts_account_id'))

    op.drop_table('contracts')
    with op.batch_alter_table('service_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_points_status'))
        batch_op.drop_index('ix_service_points_route_sequence')
        batch_op.drop_index(batch_op.f('ix_service_points_property_id'))

    op.drop_table('service_points')
    with op.batch_alter_table('tariff_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariff_components_version_id'))

    op.drop_table('tariff_components')
    with op.batch_alter_table('registers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registers_meter_id'))

    op.drop_table('registers')
    with op.batch_alter_table('meter_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_points_chamber_id'))

    op.drop_table('meter_points')
    with op.batch_alter_table('bank_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_accounts_number'))

    op.drop_table('bank_accounts')
    with op.batch_alter_table('tariff_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariff_versions_tariff_id'))

    op.drop_table('tariff_versions')
    op.drop_table('roles_users')
    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meters_store_id'))
        batch_op.drop_index(batch_op.f('ix_meters_status'))
        batch_op.drop_index(batch_op.f('ix_meters_model_id'))
        batch_op.drop_index('ix_meters_due_store')

    op.drop_table('meters')
    with op.batch_alter_table('meter_chambers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_chambers_property_id'))

    op.drop_table('meter_chambers')
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_documents_number'))
        batch_op.drop_index(batch_op.f('ix_identity_documents_customer_id'))

    op.drop_table('identity_documents')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_customer_id'))

    op.drop_table('accounts')
    op.drop_table('users')
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariffs_tariff_class'))

    op.drop_table('tariffs')
    op.drop_table('stores')
    op.drop_table('roles')
    with op.batch_alter_table('reading_routes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reading_routes_area'))

    op.drop_table('reading_routes')
    with op.batch_alter_table('properties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_properties_city'))
        batch_op.drop_index(batch_op.f('ix_properties_address'))

    op.drop_table('properties')
    op.drop_table('meter_models')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_name'))

    op.drop_table('customers')
    op.drop_table('control_devices')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))

    op.drop_table('audit_events')
