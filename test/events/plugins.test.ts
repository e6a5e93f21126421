import { PluginRegistry } from '../../src/modules/events/plugins';

/**
 * tixport ships only pretix's event-level core plugins, so the level and restriction rules are exercised with a
 * registry of pretix's own test plugins (as pretix's tests do).
 */
const registry = new PluginRegistry([
  { module: 'pretix.plugins.banktransfer', level: 'event', paymentProvider: 'banktransfer' },
  { module: 'tests.testdummyhidden', level: 'event', visible: false },
  { module: 'tests.testdummyrestricted', level: 'event', restricted: true },
  { module: 'tests.testdummyorga', level: 'organizer' },
  { module: 'tests.testdummyhybrid', level: 'hybrid' },
]);
const none = {
  eventPlugins: new Set<string>(),
  organizerPlugins: new Set<string>(),
  allowedRestricted: new Set<string>(),
};

describe('plugin checks (case 13)', () => {
  test.each([
    [['unknown'], "Unknown plugin: 'unknown'."],
    [['tests.testdummyhidden'], "Unknown plugin: 'tests.testdummyhidden'."],
    [['.tests.testdummyorga'], "Unknown plugin: '.tests.testdummyorga'."],
    [['tests.testdummyrestricted'], "Restricted plugin: 'tests.testdummyrestricted'."],
    [['tests.testdummyorga'], "Plugin cannot be enabled on this level: 'tests.testdummyorga'."],
    [
      ['tests.testdummyhybrid'],
      "Plugin should be enabled on organizer level first: 'tests.testdummyhybrid'.",
    ],
    [['pretix.plugins.banktransfer', 'unknown', 'tests.testdummyorga'], "Unknown plugin: 'unknown'."],
  ])('%j → %j', (modules, message) => {
    expect(registry.check(modules, none)).toBe(message);
  });

  test('a restricted plugin the organizer may use, and a hybrid one active on the organizer or event, pass', () => {
    expect(
      registry.check(['tests.testdummyrestricted'], {
        ...none,
        allowedRestricted: new Set(['tests.testdummyrestricted']),
      }),
    ).toBeNull();
    expect(
      registry.check(['tests.testdummyhybrid'], {
        ...none,
        organizerPlugins: new Set(['tests.testdummyhybrid']),
      }),
    ).toBeNull();
    expect(
      registry.check(['tests.testdummyhybrid'], {
        ...none,
        eventPlugins: new Set(['tests.testdummyhybrid']),
      }),
    ).toBeNull();
  });

  test('the output hides hidden and unknown plugins and sorts', () => {
    expect(
      registry.visible([
        'tests.testdummyhybrid',
        'tests.testdummyhidden',
        'gone',
        'pretix.plugins.banktransfer',
      ]),
    ).toEqual(['pretix.plugins.banktransfer', 'tests.testdummyhybrid']);
  });
});
