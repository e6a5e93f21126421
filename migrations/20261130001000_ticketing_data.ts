import type { Knex } from 'knex';

/**
 * pretix-shaped ticketing data: what exporters read and shredders erase. Money is numeric(13,2), every
 * foreign key is indexed, timestamps are timestamptz.
 */
export async function up(knex: Knex): Promise<void> {
  const money = (t: Knex.CreateTableBuilder, name: string) => t.decimal(name, 13, 2);
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  const fk = (t: Knex.CreateTableBuilder, name: string, target: string, onDelete = 'CASCADE') =>
    t.bigInteger(name).references(target).onDelete(onDelete).index();

  await knex.schema.createTable('item_categories', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    t.jsonb('name').notNullable();
    t.jsonb('description').notNullable().defaultTo('{}');
    t.integer('position').notNullable().defaultTo(0);
    t.boolean('is_addon').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('items', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    fk(t, 'category_id', 'item_categories.id', 'SET NULL');
    t.jsonb('name').notNullable();
    t.jsonb('description').notNullable().defaultTo('{}');
    money(t, 'default_price').notNullable().defaultTo(0);
    t.decimal('tax_rate', 10, 2).notNullable().defaultTo(0);
    t.boolean('admission').notNullable().defaultTo(true);
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('position').notNullable().defaultTo(0);
    ts(t, 'created_at').notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('item_variations', (t) => {
    t.bigIncrements('id');
    fk(t, 'item_id', 'items.id').notNullable();
    t.jsonb('value').notNullable();
    money(t, 'default_price');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('position').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('questions', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    t.jsonb('question').notNullable();
    t.jsonb('help_text').notNullable().defaultTo('{}');
    t.string('identifier', 190).notNullable();
    // pretix's type codes: S T N B C M D H W EMAIL TEL CC F
    t.string('type', 5).notNullable();
    t.boolean('required').notNullable().defaultTo(false);
    t.integer('position').notNullable().defaultTo(0);
    t.unique(['event_id', 'identifier']);
  });

  await knex.schema.createTable('question_options', (t) => {
    t.bigIncrements('id');
    fk(t, 'question_id', 'questions.id').notNullable();
    t.string('identifier', 190).notNullable();
    t.jsonb('answer').notNullable();
    t.integer('position').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('question_items', (t) => {
    fk(t, 'question_id', 'questions.id').notNullable();
    fk(t, 'item_id', 'items.id').notNullable();
    t.primary(['question_id', 'item_id']);
  });

  await knex.schema.createTable('quotas', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    t.string('name', 200).notNullable();
    t.integer('size'); // null = unlimited
  });
  await knex.schema.createTable('quota_items', (t) => {
    fk(t, 'quota_id', 'quotas.id').notNullable();
    fk(t, 'item_id', 'items.id').notNullable();
    t.primary(['quota_id', 'item_id']);
  });
  await knex.schema.createTable('quota_variations', (t) => {
    fk(t, 'quota_id', 'quotas.id').notNullable();
    fk(t, 'variation_id', 'item_variations.id').notNullable();
    t.primary(['quota_id', 'variation_id']);
  });

  await knex.schema.createTable('orders', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    t.string('code', 16).notNullable();
    t.string('status', 1).notNullable(); // n pending, p paid, e expired, c canceled
    t.boolean('testmode').notNullable().defaultTo(false);
    t.string('secret', 32).notNullable();
    t.string('email', 254);
    t.string('phone', 50);
    t.string('locale', 32).notNullable().defaultTo('en');
    ts(t, 'datetime').notNullable();
    ts(t, 'expires').notNullable();
    money(t, 'total').notNullable();
    t.text('comment').notNullable().defaultTo('');
    t.string('sales_channel', 190).notNullable().defaultTo('web');
    t.boolean('checkin_attention').notNullable().defaultTo(false);
    t.string('customer_reference', 190);
    t.string('payment_provider', 190);
    ts(t, 'last_modified').notNullable().defaultTo(knex.fn.now());
    t.unique(['event_id', 'code']);
    t.index(['event_id', 'datetime']);
    t.index(['event_id', 'status']);
    t.index(['event_id', 'last_modified']);
  });

  await knex.schema.createTable('order_positions', (t) => {
    t.bigIncrements('id');
    fk(t, 'order_id', 'orders.id').notNullable();
    t.integer('positionid').notNullable();
    fk(t, 'item_id', 'items.id', 'RESTRICT').notNullable();
    fk(t, 'variation_id', 'item_variations.id', 'RESTRICT');
    money(t, 'price').notNullable();
    t.decimal('tax_rate', 10, 2).notNullable().defaultTo(0);
    money(t, 'tax_value').notNullable().defaultTo(0);
    t.string('attendee_name_cached', 255);
    t.jsonb('attendee_name_parts').notNullable().defaultTo('{}');
    t.string('attendee_email', 254);
    t.string('company', 255);
    t.text('street');
    t.string('zipcode', 30);
    t.string('city', 255);
    t.string('country', 2);
    t.string('state', 255);
    t.string('secret', 255).notNullable();
    t.string('pseudonymization_id', 16).notNullable();
    fk(t, 'addon_to_id', 'order_positions.id');
    t.boolean('canceled').notNullable().defaultTo(false);
    ts(t, 'valid_from');
    ts(t, 'valid_until');
    t.unique(['order_id', 'positionid']);
  });

  await knex.schema.createTable('order_fees', (t) => {
    t.bigIncrements('id');
    fk(t, 'order_id', 'orders.id').notNullable();
    t.string('fee_type', 100).notNullable();
    t.string('description', 190).notNullable().defaultTo('');
    money(t, 'value').notNullable();
    t.decimal('tax_rate', 10, 2).notNullable().defaultTo(0);
    money(t, 'tax_value').notNullable().defaultTo(0);
    t.boolean('canceled').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('question_answers', (t) => {
    t.bigIncrements('id');
    fk(t, 'orderposition_id', 'order_positions.id').notNullable();
    fk(t, 'question_id', 'questions.id', 'RESTRICT').notNullable();
    t.text('answer').notNullable().defaultTo('');
    t.string('file_key', 255);
    t.unique(['orderposition_id', 'question_id']);
  });
  await knex.schema.createTable('question_answer_options', (t) => {
    fk(t, 'answer_id', 'question_answers.id').notNullable();
    fk(t, 'option_id', 'question_options.id', 'RESTRICT').notNullable();
    t.primary(['answer_id', 'option_id']);
  });

  await knex.schema.createTable('invoice_addresses', (t) => {
    t.bigInteger('order_id').primary().references('orders.id').onDelete('CASCADE');
    t.boolean('is_business').notNullable().defaultTo(false);
    t.string('company', 255).notNullable().defaultTo('');
    t.string('name_cached', 255).notNullable().defaultTo('');
    t.jsonb('name_parts').notNullable().defaultTo('{}');
    t.text('street').notNullable().defaultTo('');
    t.string('zipcode', 30).notNullable().defaultTo('');
    t.string('city', 255).notNullable().defaultTo('');
    t.string('country', 2).notNullable().defaultTo('');
    t.string('state', 255).notNullable().defaultTo('');
    t.string('vat_id', 255).notNullable().defaultTo('');
    t.boolean('vat_id_validated').notNullable().defaultTo(false);
    t.string('internal_reference', 255).notNullable().defaultTo('');
    ts(t, 'last_modified').notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('order_payments', (t) => {
    t.bigIncrements('id');
    fk(t, 'order_id', 'orders.id').notNullable();
    t.integer('local_id').notNullable();
    t.string('provider', 190).notNullable();
    // created, pending, confirmed, canceled, failed, refunded
    t.string('state', 190).notNullable();
    money(t, 'amount').notNullable();
    ts(t, 'created').notNullable().defaultTo(knex.fn.now());
    ts(t, 'payment_date');
    t.jsonb('info').notNullable().defaultTo('{}');
    t.unique(['order_id', 'local_id']);
  });

  await knex.schema.createTable('order_refunds', (t) => {
    t.bigIncrements('id');
    fk(t, 'order_id', 'orders.id').notNullable();
    t.integer('local_id').notNullable();
    fk(t, 'payment_id', 'order_payments.id', 'SET NULL');
    t.string('provider', 190).notNullable();
    // created, transit, done, failed, canceled, external
    t.string('state', 190).notNullable();
    t.string('source', 190).notNullable().defaultTo('admin');
    money(t, 'amount').notNullable();
    ts(t, 'created').notNullable().defaultTo(knex.fn.now());
    ts(t, 'execution_date');
    t.text('comment').notNullable().defaultTo('');
    t.jsonb('info').notNullable().defaultTo('{}');
    t.unique(['order_id', 'local_id']);
  });

  await knex.schema.createTable('checkin_lists', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    t.string('name', 190).notNullable();
    t.boolean('all_products').notNullable().defaultTo(true);
    t.boolean('include_pending').notNullable().defaultTo(false);
    t.boolean('allow_multiple_entries').notNullable().defaultTo(false);
    t.boolean('allow_entry_after_exit').notNullable().defaultTo(true);
  });
  await knex.schema.createTable('checkin_list_items', (t) => {
    fk(t, 'list_id', 'checkin_lists.id').notNullable();
    fk(t, 'item_id', 'items.id').notNullable();
    t.primary(['list_id', 'item_id']);
  });

  await knex.schema.createTable('checkins', (t) => {
    t.bigIncrements('id');
    fk(t, 'position_id', 'order_positions.id').notNullable();
    fk(t, 'list_id', 'checkin_lists.id').notNullable();
    ts(t, 'datetime').notNullable();
    t.string('type', 10).notNullable().defaultTo('entry'); // entry, exit
    t.boolean('successful').notNullable().defaultTo(true);
    t.string('error_reason', 100);
    t.string('gate_name', 190);
    t.string('device_name', 190);
    ts(t, 'created').notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('waiting_list_entries', (t) => {
    t.bigIncrements('id');
    fk(t, 'event_id', 'events.id').notNullable();
    fk(t, 'item_id', 'items.id').notNullable();
    fk(t, 'variation_id', 'item_variations.id');
    t.string('email', 254).notNullable();
    t.string('name_cached', 255);
    t.jsonb('name_parts').notNullable().defaultTo('{}');
    t.string('phone', 50);
    t.string('locale', 32).notNullable().defaultTo('en');
    t.integer('priority').notNullable().defaultTo(0);
    ts(t, 'created').notNullable().defaultTo(knex.fn.now());
    t.string('voucher_code', 100);
    t.string('voucher_state', 20); // null, valid, redeemed, expired
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'waiting_list_entries',
    'checkins',
    'checkin_list_items',
    'checkin_lists',
    'order_refunds',
    'order_payments',
    'invoice_addresses',
    'question_answer_options',
    'question_answers',
    'order_fees',
    'order_positions',
    'orders',
    'quota_variations',
    'quota_items',
    'quotas',
    'question_items',
    'question_options',
    'questions',
    'item_variations',
    'items',
    'item_categories',
  ]) {
    await knex.schema.dropTable(table);
  }
}
