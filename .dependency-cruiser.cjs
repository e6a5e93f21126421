/**
 * Where code may import from, checked by `npm run lint` (depcruise). See STYLE.md: main/ composes, http/ is
 * plumbing that only the HTTP adapters use, modules never depend on each other in a circle.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle between files: split out what both sides need, or pass it in.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment:
        'Two folders import each other (e.g. settings/ and events/): one of them must own the shared part, ' +
        'or the shared part moves to shared/.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'http-only-in-adapters',
      comment:
        'src/http/ is Express plumbing. Under src/modules only routers (*.routes.ts) and authenticators ' +
        '(*-authenticator.ts) may use it; schemas, services and repositories take plain data, and what is not ' +
        'HTTP-specific belongs in shared/.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [
          '^src/http/',
          '^src/app\\.ts$',
          '^src/main/',
          '^src/modules/.+\\.routes\\.ts$',
          '^src/modules/.+-authenticator\\.ts$',
        ],
      },
      to: { path: '^src/http/' },
    },
    {
      name: 'main-is-the-composition-root',
      comment: 'Nothing imports the entry points in src/main/; they import and wire everything else.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main/' },
      to: { path: '^src/main/' },
    },
    {
      name: 'migrations-stand-alone',
      comment: 'Migrations must keep working when the app code changes, so they never import it.',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle of types still ties the modules together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
