/**
 * The plugins tixport knows by pretix module name. Events store the names of their active plugins; tixport runs
 * no plugin code, but clients read and write the list, and the go-live check asks which payment providers are
 * enabled. `level`, `restricted` and `visible` carry pretix's rules for who may enable a plugin where.
 */
export interface PluginDefinition {
  module: string;
  /** 'event' plugins are enabled per event, 'organizer' ones only on the organizer, 'hybrid' on both. */
  level: 'event' | 'organizer' | 'hybrid';
  /** Restricted plugins need the organizer setting `allowed_restricted_plugins` to list them. */
  restricted?: boolean;
  /** Hidden plugins exist but can neither be listed nor enabled through the API. */
  visible?: boolean;
  /** The payment provider identifier this plugin adds, if any (enabled by setting `payment_<id>__enabled`). */
  paymentProvider?: string;
}

export const PLUGINS: readonly PluginDefinition[] = [
  { module: 'pretix.plugins.badges', level: 'event' },
  { module: 'pretix.plugins.banktransfer', level: 'event', paymentProvider: 'banktransfer' },
  { module: 'pretix.plugins.checkinlists', level: 'event' },
  { module: 'pretix.plugins.autocheckin', level: 'event' },
  { module: 'pretix.plugins.manualpayment', level: 'event', paymentProvider: 'manual' },
  { module: 'pretix.plugins.paypal', level: 'event', paymentProvider: 'paypal' },
  { module: 'pretix.plugins.paypal2', level: 'event', paymentProvider: 'paypal' },
  { module: 'pretix.plugins.pretixdroid', level: 'event' },
  { module: 'pretix.plugins.reports', level: 'event' },
  { module: 'pretix.plugins.returnurl', level: 'event' },
  { module: 'pretix.plugins.sendmail', level: 'event' },
  { module: 'pretix.plugins.statistics', level: 'event' },
  { module: 'pretix.plugins.stripe', level: 'event', paymentProvider: 'stripe' },
  { module: 'pretix.plugins.ticketoutputpdf', level: 'event' },
  { module: 'pretix.plugins.webcheckin', level: 'event' },
];

/** pretix's PRETIX_PLUGINS_DEFAULT of a stock installation: what a new event gets when `plugins` is not sent. */
export const DEFAULT_EVENT_PLUGINS: readonly string[] = [
  'pretix.plugins.sendmail',
  'pretix.plugins.statistics',
  'pretix.plugins.checkinlists',
];

/**
 * Payment providers that do not count as "a payment method" for going live: they cannot take money for a
 * paid product on their own (pretix's list).
 */
export const NON_PAYING_PROVIDERS: ReadonlySet<string> = new Set([
  'free',
  'boxoffice',
  'offsetting',
  'giftcard',
  'manual',
]);

export interface PluginContext {
  /** Plugins currently active on the event (empty on create). */
  eventPlugins: ReadonlySet<string>;
  /** Plugins active on the organizer level. */
  organizerPlugins: ReadonlySet<string>;
  /** The organizer setting `allowed_restricted_plugins`. */
  allowedRestricted: ReadonlySet<string>;
}

export class PluginRegistry {
  private readonly byModule: Map<string, PluginDefinition>;

  constructor(readonly definitions: readonly PluginDefinition[] = PLUGINS) {
    this.byModule = new Map(definitions.map((plugin) => [plugin.module, plugin]));
  }

  get(module: string): PluginDefinition | undefined {
    return this.byModule.get(module);
  }

  /** The API output: active plugins that exist and are visible, sorted as pretix sorts them. */
  visible(active: readonly string[]): string[] {
    return [...new Set(active)]
      .filter((module) => this.get(module)?.visible !== false && this.get(module))
      .sort();
  }

  /** pretix's per-plugin checks, in its order; returns the message for the first name that fails, or null. */
  check(modules: readonly string[], context: PluginContext): string | null {
    for (const module of modules) {
      const plugin = module.startsWith('.') ? undefined : this.get(module);
      if (!plugin || plugin.visible === false) return `Unknown plugin: '${module}'.`;
      if (plugin.restricted && !context.allowedRestricted.has(module))
        return `Restricted plugin: '${module}'.`;
      if (plugin.level === 'organizer') return `Plugin cannot be enabled on this level: '${module}'.`;
      if (
        plugin.level === 'hybrid' &&
        !context.organizerPlugins.has(module) &&
        !context.eventPlugins.has(module)
      )
        return `Plugin should be enabled on organizer level first: '${module}'.`;
    }
    return null;
  }

  /** Payment providers the given plugins add, minus those that cannot take money. */
  payingProviders(active: readonly string[]): string[] {
    return active
      .map((module) => this.get(module)?.paymentProvider)
      .filter((id): id is string => id !== undefined && !NON_PAYING_PROVIDERS.has(id));
  }
}
