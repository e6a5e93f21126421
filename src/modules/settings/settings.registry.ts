import { TIMEZONES } from '../../shared/reference-data';
import * as t from './setting-types';
import type { SettingType } from './setting-types';

/** pretix's finer event permissions that some settings need; under the legacy flags they come with can_change_event_settings. */
export type SettingPermission =
  'event.settings.payment:write' | 'event.settings.tax:write' | 'event.settings.invoicing:write';

export interface SettingDefinition {
  key: string;
  label: string;
  /** pretix's form help text, or null where the form has none. */
  helpText: string | null;
  default: unknown;
  type: SettingType;
  permission?: SettingPermission;
  /** Shown, but changes are silently ignored (pretix: set elsewhere). */
  readonly?: boolean;
  /**
   * On event level the value lives in this column of `events` rather than in the settings store (pretix keeps
   * the time zone as a setting; tixport's events table has always had it as a column).
   */
  eventColumn?: 'timezone';
}

const PAYMENT: SettingPermission = 'event.settings.payment:write';
const TAX: SettingPermission = 'event.settings.tax:write';
const INVOICING: SettingPermission = 'event.settings.invoicing:write';

/**
 * The settings tixport exposes, with pretix's keys, defaults, labels and validation. Values are resolved
 * event → organizer → default. Keys are listed in the order the API outputs them.
 */
export const SETTINGS: readonly SettingDefinition[] = [
  {
    key: 'imprint_url',
    label: 'Imprint URL',
    helpText:
      'This should point e.g. to a part of your website that has your contact details and legal information.',
    default: null,
    type: t.url,
  },
  {
    key: 'contact_mail',
    label: 'Contact address',
    helpText: "We'll show this publicly to allow attendees to contact you.",
    default: null,
    type: t.email,
  },
  {
    key: 'locales',
    label: 'Available languages',
    helpText: null,
    default: ['en'],
    type: t.languages,
  },
  { key: 'locale', label: 'Default language', helpText: null, default: 'en', type: t.language },
  {
    key: 'region',
    label: 'Region',
    helpText:
      'Will be used to determine date and time formatting as well as default country for customer addresses and ' +
      'phone numbers. For formatting, this takes less priority than the language and is therefore mostly ' +
      'relevant for languages used in different regions globally (like English).',
    default: null,
    type: t.country,
  },
  {
    key: 'max_items_per_order',
    label: 'Maximum number of items per order',
    helpText: 'Add-on products will not be counted.',
    default: 10,
    type: t.int(1, 1000),
  },
  {
    key: 'reservation_time',
    label: 'Reservation period',
    helpText: "The number of minutes the items in a user's cart are reserved for this user.",
    default: 30,
    type: t.int(0, 60 * 24 * 7),
  },
  {
    key: 'show_quota_left',
    label: 'Show number of tickets left',
    helpText: 'Publicly show how many tickets of a certain type are still available.',
    default: false,
    type: t.bool,
  },
  {
    key: 'show_dates_on_frontpage',
    label: 'Show event times and dates on the ticket shop',
    helpText:
      "If disabled, no date or time will be shown on the ticket shop's front page. This settings also affects " +
      'a few other locations, however it should not be expected that the date of the event is shown nowhere ' +
      'to users.',
    default: true,
    type: t.bool,
  },
  {
    key: 'hide_sold_out',
    label: 'Hide all products that are sold out',
    helpText: null,
    default: false,
    type: t.bool,
  },
  {
    key: 'waiting_list_enabled',
    label: 'Enable waiting list',
    helpText:
      'Once a ticket is sold out, people can add themselves to a waiting list. As soon as a ticket becomes ' +
      'available again, it will be reserved for the first person on the waiting list and this person will ' +
      'receive an email notification with a voucher that can be used to buy a ticket.',
    default: false,
    type: t.bool,
  },
  {
    key: 'attendee_names_asked',
    label: 'Ask for attendee names',
    helpText: 'Ask for a name for all personalized tickets.',
    default: true,
    type: t.bool,
  },
  {
    key: 'attendee_names_required',
    label: 'Require attendee names',
    helpText: 'Require customers to fill in the names of all attendees.',
    default: false,
    type: t.bool,
  },
  {
    key: 'attendee_emails_asked',
    label: 'Ask for email addresses per ticket',
    helpText:
      'Normally, pretix asks for one email address per order and the order confirmation will be sent only to ' +
      'that email address. If you enable this option, the system will additionally ask for individual email ' +
      'addresses for every admission ticket. This might be useful if you want to obtain individual addresses ' +
      'for every attendee even in case of group orders.',
    default: false,
    type: t.bool,
  },
  {
    key: 'attendee_emails_required',
    label: 'Require email addresses per ticket',
    helpText:
      'Require customers to fill in individual email addresses for all admission tickets. See the above option ' +
      'for more details. One email address for the order confirmation will always be required regardless of ' +
      'this setting.',
    default: false,
    type: t.bool,
  },
  {
    key: 'invoice_address_asked',
    label: 'Ask for invoice address',
    helpText: null,
    default: false,
    type: t.bool,
    permission: INVOICING,
  },
  {
    key: 'invoice_address_required',
    label: 'Require invoice address',
    helpText: null,
    default: false,
    type: t.bool,
    permission: INVOICING,
  },
  {
    key: 'invoice_address_company_required',
    label: 'Require a business address',
    helpText: 'This will require users to enter a company name.',
    default: false,
    type: t.bool,
    permission: INVOICING,
  },
  {
    key: 'invoice_generate',
    label: 'Generate invoices',
    helpText: null,
    default: 'False',
    type: t.choice(['False', 'admin', 'user', 'user_paid', 'True', 'paid']),
    permission: INVOICING,
  },
  {
    key: 'invoice_renderer',
    label: 'Invoice style',
    helpText: null,
    default: 'classic',
    type: t.choice(['classic', 'modern1']),
    permission: INVOICING,
  },
  {
    key: 'invoice_include_expire_date',
    label: 'Show expiration date of order',
    helpText: 'The expiration date will not be shown if the invoice is generated after the order is paid.',
    default: false,
    type: t.bool,
    permission: INVOICING,
  },
  {
    key: 'invoice_email_attachment',
    label: 'Attach invoices to emails',
    helpText:
      'If invoices are automatically generated for all orders, they will be attached to the order confirmation ' +
      'mail. If they are automatically generated only for paid orders, they will be attached to the payment ' +
      'confirmation mail. If they are not automatically generated, they will not be attached to emails.',
    default: false,
    type: t.bool,
    permission: INVOICING,
  },
  {
    key: 'payment_term_mode',
    label: 'Type of payment term',
    helpText:
      "This controls when pending orders will expire if they're not paid. This setting can be overridden by " +
      'individual payment methods.',
    default: 'days',
    type: t.choice(['days', 'minutes']),
    permission: PAYMENT,
  },
  {
    key: 'payment_term_days',
    label: 'Payment term in days',
    helpText:
      'The number of days after placing an order the user has to pay to preserve their reservation. If you use ' +
      'slow payment methods like bank transfer, we recommend 14 days. If you only use real-time payment ' +
      'methods, we recommend still setting two or three days to allow people to retry failed payments.',
    default: 14,
    type: t.int(0, 1_000_000),
    permission: PAYMENT,
  },
  {
    key: 'payment_term_last',
    label: 'Last date of payments',
    helpText:
      'The last date any payments are accepted. This has precedence over the terms configured above. If you use ' +
      'the event series feature and an order contains tickets for multiple dates, the earliest date will be used.',
    default: null,
    type: t.relative(true),
    permission: PAYMENT,
  },
  {
    key: 'payment_term_expire_automatically',
    label: 'Automatically expire unpaid orders',
    helpText:
      "If checked, all unpaid orders will automatically go from 'pending' to 'expired' after the end of their " +
      'payment deadline. This means that those tickets go back to the pool and can be ordered by other people.',
    default: true,
    type: t.bool,
    permission: PAYMENT,
  },
  {
    key: 'payment_explanation',
    label: 'Payment process description during checkout',
    helpText:
      'This text will be shown during checkout when the user selects a payment method. It should give a short ' +
      'explanation on the payment process.',
    default: {},
    type: t.i18n,
    permission: PAYMENT,
  },
  {
    key: 'payment_giftcard__enabled',
    label: 'Enable payment method',
    helpText: null,
    default: true,
    type: t.bool,
    permission: PAYMENT,
  },
  {
    key: 'payment_banktransfer__enabled',
    label: 'Enable payment method',
    helpText: null,
    default: false,
    type: t.bool,
    permission: PAYMENT,
  },
  {
    key: 'payment_stripe__enabled',
    label: 'Enable payment method',
    helpText: null,
    default: false,
    type: t.bool,
    permission: PAYMENT,
  },
  {
    key: 'payment_paypal__enabled',
    label: 'Enable payment method',
    helpText: null,
    default: false,
    type: t.bool,
    permission: PAYMENT,
  },
  {
    key: 'tax_rule_payment',
    label: 'Tax rule for payment fees',
    helpText:
      'The tax rule that applies for additional fees you configured for single payment methods. This will set ' +
      'the tax rate and reverse charge rules, other settings of the tax rule are ignored.',
    default: 'default',
    type: t.choice(['default', 'none', 'split']),
    permission: PAYMENT,
  },
  {
    key: 'display_net_prices',
    label: 'Show net prices instead of gross prices in the product list',
    helpText:
      'Independent of your choice, the cart will show gross prices as this is the price that needs to be paid.',
    default: false,
    type: t.bool,
    permission: TAX,
  },
  {
    key: 'cancel_allow_user',
    label: 'Customers can cancel their unpaid orders',
    helpText: null,
    default: true,
    type: t.bool,
  },
  {
    key: 'cancel_allow_user_until',
    label: 'Do not allow cancellations after',
    helpText: null,
    default: null,
    type: t.relative(false),
  },
  {
    key: 'last_order_modification_date',
    label: 'Last date of modifications',
    helpText:
      'The last date users can modify details of their orders, such as attendee names or answers to questions. ' +
      'If you use the event series feature and an order contains tickets for multiple event dates, the earliest ' +
      'date will be used.',
    default: null,
    type: t.relative(false),
  },
  {
    key: 'allow_modifications',
    label: 'Allow customers to modify their information',
    helpText: null,
    default: 'order',
    type: t.choice(['no', 'order', 'attendee']),
  },
  {
    key: 'event_list_type',
    label: 'Default overview style',
    helpText: null,
    default: 'list',
    type: t.choice(['list', 'week', 'calendar']),
  },
  {
    key: 'frontpage_text',
    label: 'Frontpage text',
    helpText: null,
    default: {},
    type: t.i18n,
  },
  {
    key: 'presale_has_ended_text',
    label: 'End of presale text',
    helpText:
      'This text will be shown above the ticket shop once the designated sales timeframe for this event is over. ' +
      'You can use it to describe other options to get a ticket, such as a box office.',
    default: {},
    type: t.i18n,
  },
  {
    key: 'confirm_texts',
    label: 'Confirmation text',
    helpText:
      'These texts need to be confirmed by the user before a purchase is possible. You could for example link ' +
      "your terms of service here. If you use the Pages feature to publish your terms of service, you don't " +
      'need this setting since you can configure it there.',
    default: [],
    type: t.i18nList,
  },
  {
    key: 'primary_color',
    label: 'Primary color',
    helpText: null,
    default: '#8E44B3',
    type: t.color,
  },
  {
    key: 'theme_color_background',
    label: 'Page background color',
    helpText: 'Background color that will be shown behind the ticket shop.',
    default: '#F6F7F9',
    type: t.color,
  },
  {
    key: 'ticket_download',
    label: 'Allow users to download tickets',
    helpText: 'If this is off, nobody can download a ticket.',
    default: false,
    type: t.bool,
  },
  {
    key: 'mail_prefix',
    label: 'Subject prefix',
    helpText:
      'This will be prepended to the subject of all outgoing emails, formatted as [prefix]. Choose, for example, ' +
      'a short form of your event name.',
    default: null,
    type: t.text(190),
  },
  {
    key: 'name_scheme',
    label: 'Name format',
    helpText:
      'This defines how pretix will ask for human names. Changing this after you already received orders might ' +
      'lead to unexpected behavior when sorting or changing names.',
    default: 'full',
    type: t.choice([
      'given_family',
      'title_given_family',
      'title_given_middle_family',
      'given_middle_family',
      'given_family_salutation',
      'salutation_given_family',
      'salutation_title_given_family',
      'salutation_title_given_family_degree',
      'family_given',
      'family_nospace_given',
      'family_comma_given',
      'full',
      'calling_full',
      'full_transcription',
    ]),
  },
  {
    key: 'low_availability_percentage',
    label: 'Low availability threshold',
    helpText:
      'If the availability of tickets falls below this percentage, the event (or a date, if it is an event ' +
      'series) will be highlighted to have low availability in the event list or calendar. If you keep this ' +
      'option empty, low availability will not be shown publicly.',
    default: null,
    type: t.int(0, 100),
  },
  {
    key: 'seating_allow_blocked_seats_for_channel',
    label: 'Allow blocked seats in sales channels',
    helpText: 'Seats that are blocked can still be sold through these sales channels.',
    default: [],
    type: t.stringList,
  },
  {
    key: 'reusable_media_active',
    label: 'Activate re-usable media',
    helpText:
      'The re-usable media feature allows you to connect tickets and gift cards with physical media such as ' +
      'wristbands or chip cards that may be re-used for different tickets or gift cards later.',
    default: false,
    type: t.bool,
    readonly: true,
  },
  {
    key: 'timezone',
    label: 'Timezone',
    helpText: 'On organizer level: the time zone new events are created in.',
    default: 'UTC',
    type: t.choice([...TIMEZONES]),
    eventColumn: 'timezone',
  },
];

export const SETTINGS_BY_KEY: ReadonlyMap<string, SettingDefinition> = new Map(
  SETTINGS.map((definition) => [definition.key, definition]),
);

/**
 * Values pretix writes into every event created without cloning, so they no longer inherit from the organizer.
 */
export const NEW_EVENT_SETTINGS: Readonly<Record<string, unknown>> = {
  invoice_renderer: 'modern1',
  invoice_include_expire_date: true,
  invoice_email_attachment: true,
  event_list_type: 'calendar',
  name_scheme: 'given_family',
  low_availability_percentage: 10,
};
