/**
 * Fixed vocabularies of events and their settings, as pretix validates them: currencies (pycountry's ISO 4217 list
 * minus the codes pretix excludes), languages (pretix's LANGUAGES), time zones (pytz common_timezones) and the
 * sales channels every organizer has.
 */

const ISO_4217 = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK
LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN
PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT
TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF
XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL`;

/** Precious metals, bond units and test codes: pretix refuses them as event currencies. */
const EXCLUDED_CURRENCIES = new Set('USN XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA'.split(' '));

export const CURRENCIES: ReadonlySet<string> = new Set(
  ISO_4217.split(/\s+/).filter((code) => code && !EXCLUDED_CURRENCIES.has(code)),
);

/** pretix's LANGUAGES: the keys an i18n object may use, and the values `locales`/`locale` accept. */
export const LANGUAGES: ReadonlySet<string> = new Set(
  `en de de-informal ar eu ca zh-hans zh-hant cs hr da nl nl-informal fr fi gl el he hu id it ja ko lv lt nb-no
pl pt-pt pt-br ro ru sk sl es sv sq th tr uk vi fa`.split(/\s+/),
);

export const DEFAULT_LANGUAGE = 'en';

/**
 * ICU's canonical zone list lacks a few names pytz's common_timezones has: UTC/GMT, the zones renamed since
 * (Kyiv, Kolkata, …) and the US/Canada aliases.
 */
const EXTRA_TIMEZONES = `UTC GMT Europe/Kyiv Asia/Kolkata Asia/Kathmandu Asia/Yangon Asia/Ho_Chi_Minh
America/Nuuk Atlantic/Faroe Pacific/Chuuk Pacific/Pohnpei Pacific/Kanton US/Alaska US/Arizona US/Central US/Eastern
US/Hawaii US/Mountain US/Pacific Canada/Atlantic Canada/Central Canada/Eastern Canada/Mountain Canada/Newfoundland
Canada/Pacific`.split(/\s+/);

export const TIMEZONES: ReadonlySet<string> = new Set([
  ...Intl.supportedValuesOf('timeZone'),
  ...EXTRA_TIMEZONES,
]);

export const DEFAULT_TIMEZONE = 'UTC';

/**
 * The sales channels pretix creates for every organizer. tixport has no sales-channel API yet, so every
 * organizer has exactly these; they are sorted as pretix sorts identifiers in `sales_channels`.
 */
export const SALES_CHANNELS: readonly string[] = ['pretixpos', 'resellers', 'web'];

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO 3166-1 alpha-2 country codes, as pretix's country choice fields accept them. */
export function isCountryCode(value: string): boolean {
  if (!/^[A-Z]{2}$/.test(value)) return false;
  try {
    const name = regionNames.of(value);
    return name !== undefined && name !== value && name !== 'Unknown Region';
  } catch {
    return false;
  }
}
