import { describe, expect, it } from 'vitest';
import { fingerprintOf, identifierOf, versionOf } from './fingerprint';
import { environmentView, normalizeEnvironment, parseEnvironmentSchema, physicalTable } from './naming';

describe('physical and virtual names', () => {
  it('puts each model version in sqlmesh__<schema> as <schema>__<table>__<version>', () => {
    expect(physicalTable('marts.borough_daily', '123')).toEqual({ schema: 'sqlmesh__marts', table: 'marts__borough_daily__123' });
  });

  it('names prod views after the model and dev views in <schema>__<env>', () => {
    expect(environmentView('marts.x', 'prod')).toEqual({ schema: 'marts', table: 'x' });
    expect(environmentView('marts.x', 'Dev')).toEqual({ schema: 'marts__dev', table: 'x' });
    expect(parseEnvironmentSchema('marts__dev')).toEqual({ schema: 'marts', environment: 'dev' });
    expect(parseEnvironmentSchema('marts')).toEqual({ schema: 'marts', environment: 'prod' });
  });

  it('normalizes environment names and refuses empty ones', () => {
    expect(normalizeEnvironment(' Feature-42 ')).toBe('feature_42');
    expect(() => normalizeEnvironment('--')).toThrow(/not a usable environment name/);
  });
});

describe('fingerprints', () => {
  const parent = { fingerprint: fingerprintOf({ data: ['p'], metadata: ['pm'], parents: [] }), version: '9' };

  it('keeps the version when only metadata changes, and changes the identifier', () => {
    const a = fingerprintOf({ data: ['select 1'], metadata: ['owner a'], parents: [parent] });
    const b = fingerprintOf({ data: ['select 1'], metadata: ['owner b'], parents: [parent] });
    expect(versionOf(a)).toBe(versionOf(b));
    expect(identifierOf(a)).not.toBe(identifierOf(b));
  });

  it('changes the version when data or a parent version changes, regardless of parent order', () => {
    const a = fingerprintOf({ data: ['select 1'], metadata: [], parents: [parent] });
    const b = fingerprintOf({ data: ['select 2'], metadata: [], parents: [parent] });
    const c = fingerprintOf({ data: ['select 1'], metadata: [], parents: [{ ...parent, version: '10' }] });
    expect(new Set([versionOf(a), versionOf(b), versionOf(c)]).size).toBe(3);
    const other = { fingerprint: parent.fingerprint, version: '11' };
    expect(fingerprintOf({ data: ['x'], metadata: [], parents: [parent, other] })).toEqual(fingerprintOf({ data: ['x'], metadata: [], parents: [other, parent] }));
  });
});
