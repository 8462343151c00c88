import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPipelineText } from '../config/load';
import { DuckDbSink } from '../load/duckdb-sink';
import { CREDENTIALS, startRestServer, type RestTestServer } from '../testing/rest-server';
import { runPipeline } from './run';

/** Pipelines written as dlt's rest_api docs write them: `client` and `resources`, nothing else. */
let server: RestTestServer;
let dir: string;
let sink: DuckDbSink;

beforeAll(async () => {
  server = await startRestServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pas-dlt-shapes-'));
  sink = await DuckDbSink.open(path.join(dir, 'lake.duckdb'));
});

afterAll(async () => {
  await sink.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  server.requests.length = 0;
});

function dltPipeline(name: string, client: string, resource: string) {
  return loadPipelineText(`client:\n  base_url: ${server.baseUrl}\n${client}resources:\n${resource}`, { file: `pipelines/${name}.yaml`, env: {}, projectDir: dir });
}

async function ids(dataset: string, table: string): Promise<string[]> {
  return (await sink.query(`SELECT id FROM ${dataset}.${table} ORDER BY id`)).map((r) => String(r.id));
}

const ALL = ['1', '2', '3', '4', '5', '6', '7'];

describe("dlt's paginators against a local REST server", () => {
  it.each([
    // Offset paging keeps a second page in flight, so one request goes past the end.
    ['offset', 'offset', '{ type: offset, limit: 3 }', 4],
    ['page_number', 'page-number', '{ type: page_number, base_page: 1, total_path: meta.total_pages }', 3],
    ['cursor', 'cursor', '{ type: cursor, cursor_path: next_cursor, cursor_param: cursor }', 3],
    ['json_link', 'json-link', '{ type: json_link, next_url_path: links.next }', 3],
    ['header_link', 'header-link', 'header_link', 3],
    ['header_cursor', 'header-cursor', '{ type: header_cursor, cursor_key: x-next-cursor, cursor_param: cursor }', 3],
    ['single_page', 'single', 'single_page', 1],
  ])('%s reads every record', async (type, route, paginator, requests) => {
    const name = `pg_${type}`;
    const result = await runPipeline(dltPipeline(name, '', `  - name: items\n    endpoint:\n      path: ${route}\n      paginator: ${paginator}\n`), { sink, workDir: dir });
    expect(result).toMatchObject({ status: 'loaded', tables: [{ name: 'items', rows: 7 }] });
    expect(await ids(`${name}_dataset`, 'items')).toEqual(ALL);
    expect(server.requests).toHaveLength(requests);
  });

  it.each([
    ['a Link header -> header_link', 'auto/header-link', 3],
    ['a next URL in the body -> json_link', 'auto/json-link', 3],
    ['a total_pages count -> page_number', 'auto/page-number', 3],
    ['a next value that is not a URL -> cursor', 'auto/cursor', 3],
    ['a bare list and nothing else -> single_page', 'auto/single', 1],
  ])('auto-detects %s when no paginator is given', async (_label, route, requests) => {
    const name = `auto_${route.split('/')[1]!.replace('-', '_')}`;
    const result = await runPipeline(dltPipeline(name, '', `  - name: items\n    endpoint: ${route}\n`), { sink, workDir: dir });
    expect(result).toMatchObject({ status: 'loaded', tables: [{ name: 'items', rows: 7 }] });
    expect(await ids(`${name}_dataset`, 'items')).toEqual(ALL);
    expect(server.requests).toHaveLength(requests);
  });
});

describe("dlt's auth forms against a local REST server", () => {
  it.each([
    ['bearer', 'auth/bearer', `  auth: { type: bearer, token: ${CREDENTIALS.token} }\n`],
    ['bearer (shorthand: only a token)', 'auth/bearer', `  auth: { token: ${CREDENTIALS.token} }\n`],
    ['api_key in a header', 'auth/api-key-header', `  auth: { type: api_key, name: X-Api-Key, api_key: ${CREDENTIALS.apiKey} }\n`],
    ['api_key in the query', 'auth/api-key-query', `  auth: { type: api_key, name: api_key, api_key: ${CREDENTIALS.apiKey}, location: query }\n`],
    ['api_key in a cookie', 'auth/api-key-cookie', `  auth: { type: api_key, name: session, api_key: ${CREDENTIALS.apiKey}, location: cookie }\n`],
    ['http_basic', 'auth/basic', `  auth: { type: http_basic, username: ${CREDENTIALS.username}, password: ${CREDENTIALS.password} }\n`],
  ])('%s is accepted by the server', async (label, route, auth) => {
    const name = `auth_${label.replace(/[^a-z]+/g, '_').replace(/_+$/, '')}`;
    const result = await runPipeline(dltPipeline(name, auth, `  - name: items\n    endpoint: ${route}\n`), { sink, workDir: dir });
    expect(result.error).toBeUndefined();
    expect(await ids(`${name}_dataset`, 'items')).toEqual(ALL);
  });

  it('oauth2_client_credentials fetches a token from the token endpoint and sends it as a bearer token', async () => {
    const auth = `  auth:\n    type: oauth2_client_credentials\n    access_token_url: ${server.baseUrl}/oauth/token\n    client_id: ${CREDENTIALS.clientId}\n    client_secret: ${CREDENTIALS.clientSecret}\n    access_token_request_data: { scope: read }\n`;
    const result = await runPipeline(dltPipeline('auth_oauth', auth, '  - name: items\n    endpoint: auth/oauth\n'), { sink, workDir: dir });
    expect(result.error).toBeUndefined();
    expect(await ids('auth_oauth_dataset', 'items')).toEqual(ALL);
    const token = server.requests.find((r) => r.path === '/oauth/token');
    expect(new URLSearchParams(token?.body).get('scope')).toBe('read');
    expect(server.requests.find((r) => r.path === '/auth/oauth')?.headers.authorization).toBe(`Bearer ${server.issuedTokens[0]}`);
  });

  it('fails with the HTTP status, not a stack, when the credentials are wrong', async () => {
    const result = await runPipeline(dltPipeline('auth_wrong', '  auth: { token: nope }\n', '  - name: items\n    endpoint: auth/bearer\n'), { sink, workDir: dir });
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/HTTP 401/);
  });
});

describe('pipeline files in the shape of dlt', () => {
  it("needs no destination: the dataset is dlt's <pipeline>_dataset, or dataset_name", () => {
    const text = (extra: string) => `${extra}client:\n  base_url: https://api.example.com\nresources:\n  - items\n`;
    expect(loadPipelineText(text(''), { file: 'pipelines/shop.yaml', env: {} }).dataset).toBe('shop_dataset');
    expect(loadPipelineText(text('dataset_name: raw\n'), { file: 'pipelines/shop.yaml', env: {} }).dataset).toBe('raw');
    expect(loadPipelineText(text('destination: ducklake\n'), { file: 'pipelines/shop.yaml', env: {} }).dataset).toBe('shop_dataset');
    expect(loadPipelineText(text('destination: { dataset: raw }\n'), { file: 'pipelines/shop.yaml', env: {} }).dataset).toBe('raw');
  });

  it('refuses dlt keys that are not supported, at their line', () => {
    const text = 'client:\n  base_url: https://api.example.com\nresources:\n  - name: items\n    processing_steps:\n      - filter: x\n';
    expect(() => loadPipelineText(text, { file: 'pipelines/shop.yaml', env: {} })).toThrow(/pipelines\/shop\.yaml:5:5: resources\.0\.processing_steps: dlt's "processing_steps" is not supported here/);
  });

  it('refuses a destination other than the project lake', () => {
    const text = 'destination: bigquery\nclient:\n  base_url: https://api.example.com\nresources:\n  - items\n';
    expect(() => loadPipelineText(text, { file: 'pipelines/shop.yaml', env: {} })).toThrow(/shop\.yaml:1:14: destination: pipelines load into the project's lake/);
  });

  it("fetches a path ending in a {placeholder} as one entity (dlt's single-entity rule)", () => {
    const text = 'client:\n  base_url: https://api.example.com\n  paginator: { type: offset, limit: 10 }\nresources:\n  - items\n  - name: item\n    endpoint: "items/{resources.items.id}"\n';
    const pipeline = loadPipelineText(text, { file: 'pipelines/shop.yaml', env: {} });
    const item = pipeline.resources.find((r) => r.name === 'item');
    expect(item?.source.kind === 'rest' && item.source.endpoint).toMatchObject({ paginator: { type: 'single_page' }, data_selector: '$' });
  });
});
