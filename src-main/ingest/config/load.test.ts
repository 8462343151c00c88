import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPasException } from '../../../src-shared/errors';
import { loadPipelineFile, loadPipelineText } from './load';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function issuesOf(text: string, env: Record<string, string> = {}): { message: string; issues: { path: string; message: string }[] } {
  try {
    loadPipelineText(text, { file: 'pipelines/p.yaml', env });
  } catch (error) {
    if (isPasException(error) && error.error.code === 'validation') return error.error;
    throw error;
  }
  throw new Error('expected a validation error');
}

const base = `destination:
  dataset: raw
client:
  base_url: https://example.test/api/
resources:
`;

describe('pipeline config', () => {
  it('resolves resource_defaults, string resources and snake_cases names and keys', () => {
    const p = loadPipelineText(
      `${base}  - users
  - name: Orders
    endpoint:
      path: orders
      params: { per_page: 50 }
    primary_key: OrderId
resource_defaults:
  write_disposition: merge
  endpoint:
    params: { sort: asc }
    paginator: { type: page_number, page_size: 50 }
`,
      { file: 'pipelines/shop.yaml', env: {} },
    );
    expect(p.name).toBe('shop');
    expect(p.resources.map((r) => [r.name, r.table, r.writeDisposition])).toEqual([
      ['users', 'users', 'merge'],
      ['Orders', 'orders', 'merge'],
    ]);
    const orders = p.resources[1]!;
    expect(orders.primaryKey).toEqual(['order_id']);
    expect(orders.source.kind === 'rest' && orders.source.endpoint.params).toEqual({ sort: 'asc', per_page: 50 });
    expect(orders.source.kind === 'rest' && orders.source.endpoint.paginator?.type).toBe('page_number');
  });

  it('reports an invalid field with file, line and column', () => {
    const error = issuesOf(`${base}  - name: crashes
    endpoint:
      path: x.json
      paginator:
        type: offset
        limit: -5
`);
    expect(error.issues[0]!.path).toBe('pipelines/p.yaml:11:16 resources.0.endpoint.paginator.limit');
    expect(error.message).toContain('pipelines/p.yaml:11:16');
  });

  it('reports an unknown key at the key itself', () => {
    const error = issuesOf(`${base}  - name: crashes
    endpoint: x.json
    write_dispositon: merge
`);
    expect(error.issues[0]!.path).toBe('pipelines/p.yaml:8:5 resources.0.write_dispositon');
    expect(error.issues[0]!.message).toContain('write_dispositon');
  });

  it('reports YAML syntax errors with their position', () => {
    const error = issuesOf('destination: [raw\nresources: x\n');
    expect(error.issues[0]!.path).toMatch(/^pipelines\/p\.yaml:\d+:\d+/);
  });

  it('substitutes env_var secrets, uses defaults, and names a missing variable', () => {
    const text = `${base}  - name: a
    endpoint:
      path: a
      headers:
        X-App-Token: "{{ env_var('TOKEN') }}"
        X-Other: "{{ env_var('OTHER', 'fallback') }}"
`;
    const p = loadPipelineText(text, { file: 'pipelines/p.yaml', env: { TOKEN: 's3cret' } });
    const endpoint = p.resources[0]!.source.kind === 'rest' ? p.resources[0]!.source.endpoint : undefined;
    expect(endpoint?.headers).toEqual({ 'X-App-Token': 's3cret', 'X-Other': 'fallback' });
    const error = issuesOf(text);
    expect(error.issues[0]!.path).toBe('pipelines/p.yaml:10:22 resources.0.endpoint.headers.X-App-Token');
    expect(error.issues[0]!.message).toContain('TOKEN');
  });

  it('orders dependent resources after their parent and rejects unknown parents', () => {
    const p = loadPipelineText(
      `${base}  - name: comments
    endpoint: "posts/{resources.posts.id}/comments"
  - name: posts
    endpoint: posts
`,
      { file: 'pipelines/p.yaml', env: {} },
    );
    expect(p.resources.map((r) => r.name)).toEqual(['posts', 'comments']);
    const error = issuesOf(`${base}  - name: comments
    endpoint: "posts/{resources.nope.id}/comments"
`);
    expect(error.issues[0]!.message).toContain('unknown resource "nope"');
  });
});

describe('table names', () => {
  it('rejects two resources loading the same table', () => {
    const error = issuesOf(`${base}  - name: a
    endpoint: a
    table_name: t
  - name: b
    endpoint: b
    table_name: t
`);
    expect(error.issues[0]!.path).toBe('pipelines/p.yaml:9:5 resources.1');
    expect(error.issues[0]!.message).toContain('both load table "t"');
  });
});

describe('pipeline files', () => {
  it('the example pipelines in pipelines/ are valid', () => {
    const real = loadPipelineFile(path.join(repoRoot, 'pipelines/nyc_collisions.yaml'), { env: {} });
    const crashes = real.resources[0]!;
    expect(real).toMatchObject({ name: 'nyc_collisions', dataset: 'raw' });
    expect(real.client?.base_url).toBe('https://data.cityofnewyork.us/resource/');
    expect(real.client?.headers).toEqual({ 'X-App-Token': '' });
    expect(crashes).toMatchObject({ table: 'nyc_collisions', writeDisposition: 'merge', primaryKey: ['collision_id'] });
    expect(crashes.source.kind === 'rest' && crashes.source.endpoint.incremental?.cursor_path).toBe('crash_date');
    const sample = loadPipelineFile(path.join(repoRoot, 'pipelines/nyc_collisions_sample.yaml'), { env: {} });
    expect(sample.resources[0]).toMatchObject({ table: 'nyc_collisions', source: { kind: 'file' } });
  });

  it("reads secrets from the project's .env, with the process environment winning", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-ingest-env-'));
    try {
      fs.mkdirSync(path.join(project, 'pipelines'));
      fs.writeFileSync(path.join(project, '.env'), 'SOCRATA_APP_TOKEN=from-dotenv\n');
      fs.copyFileSync(path.join(repoRoot, 'pipelines/nyc_collisions.yaml'), path.join(project, 'pipelines/nyc_collisions.yaml'));
      const saved = process.env.SOCRATA_APP_TOKEN;
      delete process.env.SOCRATA_APP_TOKEN;
      try {
        expect(loadPipelineFile(path.join(project, 'pipelines/nyc_collisions.yaml')).client?.headers).toEqual({ 'X-App-Token': 'from-dotenv' });
        process.env.SOCRATA_APP_TOKEN = 'from-env';
        expect(loadPipelineFile(path.join(project, 'pipelines/nyc_collisions.yaml')).client?.headers).toEqual({ 'X-App-Token': 'from-env' });
      } finally {
        if (saved === undefined) delete process.env.SOCRATA_APP_TOKEN;
        else process.env.SOCRATA_APP_TOKEN = saved;
      }
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
