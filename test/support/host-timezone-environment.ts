import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Runs a test file with the process time zone set to `testEnvironmentOptions.timezone` and restores it
 * afterwards: a jest worker runs files one after another, so the next file sees its usual zone again. Node
 * re-reads process.env.TZ when it is assigned, for Date and Intl alike.
 */
export default class HostTimezoneEnvironment extends TestEnvironment {
  private readonly previousTimezone: string | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    const previous = process.env.TZ;
    process.env.TZ = String(config.projectConfig.testEnvironmentOptions.timezone ?? 'America/Los_Angeles');
    super(config, context);
    this.previousTimezone = previous;
  }

  override async teardown(): Promise<void> {
    await super.teardown();
    if (this.previousTimezone === undefined) delete process.env.TZ;
    else process.env.TZ = this.previousTimezone;
  }
}
