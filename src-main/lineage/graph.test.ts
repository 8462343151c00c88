import { describe, expect, it } from 'vitest';
import { LineageGraph, type ModelInput } from './graph';
import { lineageRecord, lineageRecords, parseModels } from './records';
import { useParser } from '../sql/test-parser';

const parser = useParser();

const SOURCES = {
  'raw.orders': ['id', 'customer_id', 'amount', 'status'],
  'raw.customers': ['id', 'name'],
};

const PROJECT = [
  { name: 'staging.orders', sql: "SELECT id, customer_id, amount FROM raw.orders WHERE status <> 'void'" },
  { name: 'staging.customers', sql: 'SELECT id AS customer_id, name FROM raw.customers' },
  {
    name: 'marts.revenue',
    sql: 'SELECT c.name, sum(o.amount) AS revenue FROM staging.orders o JOIN staging.customers c USING (customer_id) GROUP BY c.name',
  },
  { name: 'marts.top', sql: 'SELECT * FROM marts.revenue QUALIFY rank() OVER (ORDER BY revenue DESC) <= 10' },
  { name: 'other.unrelated', sql: 'SELECT id FROM raw.customers' },
];

async function input(name: string, sql: string): Promise<ModelInput> {
  return { name, sql, parsed: await parser.parse(sql) };
}

async function project(): Promise<LineageGraph> {
  const graph = new LineageGraph(SOURCES);
  graph.setModels(await parseModels(parser, PROJECT));
  return graph;
}

describe('LineageGraph', () => {
  it('gives each column its upstream, sources and users in the JSON shape', async () => {
    const graph = await project();
    expect(lineageRecord(graph, 'marts.revenue', 'revenue')).toEqual({
      model: 'marts.revenue',
      column: 'revenue',
      upstream: [
        { model: 'staging.orders', column: 'amount', kind: 'value', expression: 'sum(o.amount)' },
        { model: 'staging.customers', column: 'customer_id', kind: 'filter', expression: 'USING (customer_id)' },
        { model: 'staging.customers', column: 'name', kind: 'filter', expression: 'c.name' },
        { model: 'staging.orders', column: 'customer_id', kind: 'filter', expression: 'USING (customer_id)' },
      ],
      sources: [{ model: 'raw.orders', column: 'amount' }],
      // marts.top's QUALIFY ranks by revenue, which filters every one of its columns.
      downstream: [
        { model: 'marts.top', column: 'name' },
        { model: 'marts.top', column: 'revenue' },
      ],
    });
  });

  it('expands a star over an upstream model with that model’s columns', async () => {
    const graph = await project();
    expect(graph.model('marts.top')?.lineage.columns.map((c) => c.column)).toEqual(['name', 'revenue']);
    expect(graph.sources('marts.top', 'name')).toEqual([{ model: 'raw.customers', column: 'name' }]);
    expect(graph.sources('marts.top', 'revenue')).toEqual([{ model: 'raw.orders', column: 'amount' }]);
  });

  it('lists direct and transitive users of a source column', async () => {
    const graph = await project();
    expect(graph.downstream('raw.orders', 'amount')).toEqual([{ model: 'staging.orders', column: 'amount' }]);
    expect(graph.downstreamAll('raw.orders', 'amount')).toEqual([
      { model: 'staging.orders', column: 'amount' },
      { model: 'marts.revenue', column: 'revenue' },
      { model: 'marts.top', column: 'name' },
      { model: 'marts.top', column: 'revenue' },
    ]);
  });

  it('produces a record for every column of every model', async () => {
    const graph = await project();
    const records = lineageRecords(graph);
    expect(records.map((r) => `${r.model}.${r.column}`)).toEqual([
      'staging.orders.id',
      'staging.orders.customer_id',
      'staging.orders.amount',
      'staging.customers.customer_id',
      'staging.customers.name',
      'marts.revenue.name',
      'marts.revenue.revenue',
      'marts.top.name',
      'marts.top.revenue',
      'other.unrelated.id',
    ]);
  });

  it('recomputes only the changed model when its output columns stay the same', async () => {
    const graph = await project();
    const before = new Map(graph.modelNames().map((n) => [n, graph.model(n)]));
    const summary = graph.updateModel(await input('staging.customers', 'SELECT id AS customer_id, upper(name) AS name FROM raw.customers'));
    expect(summary.recomputed).toEqual(['staging.customers']);
    for (const name of ['staging.orders', 'marts.revenue', 'marts.top', 'other.unrelated']) {
      expect(graph.model(name), name).toBe(before.get(name));
    }
    expect(graph.model('staging.customers')).not.toBe(before.get('staging.customers'));
    expect(graph.column('staging.customers', 'name')?.expression).toBe('upper(name)');
  });

  it('recomputes downstream models while column lists keep changing, and no further', async () => {
    const graph = await project();
    const unrelated = graph.model('other.unrelated');
    const top = graph.model('marts.top');
    const summary = graph.updateModel(await input('staging.orders', 'SELECT id, customer_id, amount, status FROM raw.orders'));
    expect(summary.recomputed).toEqual(['staging.orders', 'marts.revenue']);
    expect(summary.invalidated).toEqual(['staging.orders', 'marts.revenue', 'marts.top']);
    expect(graph.model('marts.top')).toBe(top);
    expect(graph.model('other.unrelated')).toBe(unrelated);
  });

  it('passes a new upstream column through a downstream star', async () => {
    const graph = await project();
    const unrelated = graph.model('other.unrelated');
    graph.updateModel(
      await input('marts.revenue', 'SELECT c.name, sum(o.amount) AS revenue, count(*) AS orders FROM staging.orders o JOIN staging.customers c USING (customer_id) GROUP BY c.name'),
    );
    expect(graph.model('marts.top')?.lineage.columns.map((c) => c.column)).toEqual(['name', 'revenue', 'orders']);
    expect(graph.model('other.unrelated')).toBe(unrelated);
  });

  it('updates transitive sources of downstream columns without recomputing them', async () => {
    const graph = await project();
    expect(graph.sources('marts.top', 'revenue')).toEqual([{ model: 'raw.orders', column: 'amount' }]);
    const top = graph.model('marts.top');
    graph.updateModel(await input('staging.orders', "SELECT id, customer_id, amount * 100 + id AS amount FROM raw.orders WHERE status <> 'void'"));
    expect(graph.model('marts.top')).toBe(top);
    expect(graph.sources('marts.top', 'revenue')).toEqual([
      { model: 'raw.orders', column: 'amount' },
      { model: 'raw.orders', column: 'id' },
    ]);
    expect(graph.downstream('raw.orders', 'id')).toEqual([
      { model: 'staging.orders', column: 'id' },
      { model: 'staging.orders', column: 'amount' },
    ]);
  });

  it('keeps a model that does not parse, with its error, and reports its users’ stars as unknown', async () => {
    const graph = await project();
    graph.updateModel(await input('marts.revenue', 'SELECT name, FROM WHERE'));
    expect(graph.model('marts.revenue')?.error).toMatchObject({ message: expect.stringContaining('syntax error') });
    expect(graph.model('marts.top')?.lineage.columns).toEqual([
      expect.objectContaining({ column: 'revenue.*', unknown: { unknown: true, reason: expect.stringContaining('marts.revenue') } }),
    ]);
  });

  it('resolves a reference once the model it names is added, and unresolves it on removal', async () => {
    const graph = await project();
    graph.updateModel(await input('marts.summary', 'SELECT * FROM marts.later'));
    expect(graph.column('marts.summary', 'later.*')?.unknown?.reason).toContain('marts.later');
    const summary = graph.updateModel(await input('marts.later', 'SELECT name FROM staging.customers'));
    expect(summary.recomputed).toEqual(['marts.later', 'marts.summary']);
    expect(graph.sources('marts.summary', 'name')).toEqual([{ model: 'raw.customers', column: 'name' }]);
    expect(graph.removeModel('marts.later').recomputed).toEqual(['marts.summary']);
    expect(graph.column('marts.summary', 'later.*')?.unknown).toBeDefined();
  });

  it('recomputes the models reading a source when its columns change', async () => {
    const graph = await project();
    const revenue = graph.model('marts.revenue');
    const summary = graph.setSource('raw.customers', ['id', 'name', 'segment']);
    expect([...summary.recomputed].sort()).toEqual(['other.unrelated', 'staging.customers']);
    expect(graph.model('marts.revenue')).toBe(revenue);
    expect(graph.setSource('raw.customers', ['id', 'name', 'segment']).recomputed).toEqual([]);
  });

  it('terminates on models that reference each other', async () => {
    const graph = new LineageGraph();
    graph.setModels(await parseModels(parser, [
      { name: 'a', sql: 'SELECT x FROM b' },
      { name: 'b', sql: 'SELECT x FROM a' },
    ]));
    expect(graph.column('a', 'x')?.upstream).toMatchObject([{ relation: 'b', column: 'x' }]);
    expect(graph.sources('a', 'x')).toEqual([]);
  });
});

describe('LineageGraph impact, roots and code models', () => {
  it('gives the whole impact of a column with the fewest hops to each user', async () => {
    const graph = await project();
    expect(graph.impact('raw.orders', 'amount')).toEqual([
      { model: 'staging.orders', column: 'amount', hops: 1 },
      { model: 'marts.revenue', column: 'revenue', hops: 2 },
      { model: 'marts.top', column: 'name', hops: 3 },
      { model: 'marts.top', column: 'revenue', hops: 3 },
    ]);
    expect(graph.impact('raw.orders', 'amount', 1)).toEqual([{ model: 'staging.orders', column: 'amount', hops: 1 }]);
  });

  it('knows a root by its columns, and the columns its users read when it has no schema', async () => {
    const graph = await project();
    expect(graph.relation('raw.customers')).toEqual({ name: 'raw.customers', isModel: false, columns: ['id', 'name'] });
    graph.updateModel(await input('staging.extra', 'SELECT Payload, ts FROM raw.events'));
    expect(graph.relation('raw.events')).toEqual({ name: 'raw.events', isModel: false, columns: ['Payload', 'ts'] });
    expect(graph.relation('nowhere.nothing')).toBeUndefined();
  });

  it('makes a code model read every column of the models it depends on, as code dependencies', async () => {
    const graph = await project();
    graph.updateModel({ name: 'marts.scored', sql: '', parsed: { ok: true, statements: [] }, code: { columns: ['name', 'score'], dependsOn: ['marts.revenue'] } });
    expect(graph.column('marts.scored', 'score')?.upstream).toEqual([
      { relation: 'marts.revenue', column: 'name', kind: 'code', expression: 'computed by code' },
      { relation: 'marts.revenue', column: 'revenue', kind: 'code', expression: 'computed by code' },
    ]);
    expect(graph.sources('marts.scored', 'score')).toEqual([
      { model: 'raw.customers', column: 'name' },
      { model: 'raw.orders', column: 'amount' },
    ]);
    // A model downstream of it expands its star from the declared columns...
    graph.updateModel(await input('marts.after', 'SELECT * EXCLUDE (name) FROM marts.scored'));
    expect(graph.model('marts.after')?.lineage.columns.map((c) => c.column)).toEqual(['score']);
    expect(graph.impact('staging.orders', 'amount').map((i) => `${i.model}.${i.column}:${i.hops}`)).toContain('marts.after.score:3');
    // ...and a new upstream column reaches the code model when its upstream widens.
    const summary = graph.updateModel(await input('marts.revenue', PROJECT[2]?.sql.replace('SELECT c.name,', 'SELECT c.name, max(o.customer_id) AS top_customer,') ?? ''));
    expect(summary.recomputed).toContain('marts.scored');
    expect(graph.column('marts.scored', 'score')?.upstream.map((d) => d.column)).toContain('top_customer');
  });

  it('shows expressions as written when the model gives a way back from rendered text', async () => {
    const sql = "SELECT id FROM raw.orders WHERE status BETWEEN '1970-01-01 00:00:00' AND '1969-12-31 23:59:59.999999'";
    const graph = await project();
    graph.updateModel({ ...(await input('staging.windowed', sql)), asWritten: (text) => text.replace("'1970-01-01 00:00:00'", '@start_ts').replace("'1969-12-31 23:59:59.999999'", '@end_ts') });
    expect(graph.column('staging.windowed', 'id')?.upstream.find((d) => d.column === 'status')?.expression).toBe('status BETWEEN @start_ts AND @end_ts');
  });
});
