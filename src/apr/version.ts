/**
 * The package version written into every model's `renacer_version`. A constant rather than a read of package.json,
 * so the bundles in dist/ carry it without the package around them; __tests__/apr/version.test.ts fails when the two
 * drift apart.
 */
export const RENACER_VERSION = '0.1.0'
