import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DEFAULTS } from '../config';
import { readAudits } from '../audit';
import { Diagnostics, LineIndex } from '../diagnostics';
import { tokenize } from '../lexer';
import { PropertyReader } from '../property-readers';
import { splitStatements } from '../statements';
import type { ColumnDef, SqlModelDefinition } from '../model';
import { parseModelFile } from '../model-file';
import { type RenderContext, renderAudit, renderModel } from './render-model';

function model(body: string, header = 'MODEL (name s.m, kind FULL);'): SqlModelDefinition {
  const d = new Diagnostics();
  const m = parseModelFile('models/m.sql', '/p/models/m.sql', `${header}\n${body}`, DEFAULT_MODEL_DEFAULTS, d).models[0];
  if (!m || d.hasErrors) throw new Error(JSON.stringify(d.items));
  return m;
}

const COLUMNS: Record<string, ColumnDef[]> = {
  foo: [
    { name: 'a', type: 'TEXT' },
    { name: 'b', type: 'TEXT' },
    { name: 'c', type: 'TEXT' },
    { name: 'd', type: 'INT' },
  ],
  bar: [
    { name: 'a', type: 'INT' },
    { name: 'b', type: 'INT' },
    { name: 'c', type: 'TEXT' },
  ],
  baz: [
    { name: 'a', type: 'INT' },
    { name: 'c', type: 'TEXT' },
  ],
};

const CONTEXT: RenderContext = {
  start: '2024-01-01',
  end: '2024-01-01',
  executionTime: '2024-01-02 03:04:05',
  gateway: 'local',
  variables: { SRC_schema: 'raw', threshold: 3, regions: ['north', 'south'], flag: true },
  columns: (relation) => COLUMNS[relation],
};

function render(body: string, context: RenderContext = CONTEXT, header?: string): string | undefined {
  const out = renderModel(model(body, header), context);
  expect(out.diagnostics).toEqual([]);
  return out.query;
}

describe('built-in macro variables', () => {
  it('renders the start/end/execution variables of a daily interval, with an inclusive end', () => {
    expect(
      render(`SELECT @start_ds, @end_ds, @start_ts, @end_ts, @start_date, @end_date, @start_dt, @end_dtntz,
  @start_epoch, @end_epoch, @start_millis, @end_millis, @start_hour, @end_hour, @start_tstz,
  @execution_ds, @execution_ts, @execution_epoch, @execution_millis`),
    ).toBe(`SELECT '2024-01-01', '2024-01-01', '2024-01-01 00:00:00', '2024-01-01 23:59:59.999999', CAST('2024-01-01' AS DATE), CAST('2024-01-01' AS DATE), CAST('2024-01-01 00:00:00+00:00' AS TIMESTAMPTZ), CAST('2024-01-01 23:59:59.999999' AS TIMESTAMP),
  1704067200.0, 1704153599.999, 1704067200000, 1704153599999, 0, 23, '2024-01-01 00:00:00+00:00',
  '2024-01-02', '2024-01-02 03:04:05', 1704164645.0, 1704164645000`);
  });

  it('treats a Date/epoch end as exclusive and a date-only end as the whole day', () => {
    const q = 'SELECT @start_ts, @end_ts';
    expect(render(q, { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-08T00:00:00Z'), executionTime: 0 })).toBe(
      "SELECT '2024-03-01 00:00:00', '2024-03-07 23:59:59.999999'",
    );
    expect(render(q, { start: '2024-03-01', end: '2024-03-07', executionTime: 0 })).toBe("SELECT '2024-03-01 00:00:00', '2024-03-07 23:59:59.999999'");
    expect(render(q, { start: '2024-03-01 10:00:00', end: '2024-03-01 11:00:00', executionTime: 0 })).toBe(
      "SELECT '2024-03-01 10:00:00', '2024-03-01 10:59:59.999999'",
    );
  });

  it('defaults the interval to the epoch day when none is given', () => {
    expect(render('SELECT @start_ds, @end_ts', { executionTime: 0 })).toBe("SELECT '1970-01-01', '1970-01-01 23:59:59.999999'");
  });

  it('renders @this_model, @gateway, @runtime_stage and @model_kind_name', () => {
    expect(render("SELECT @gateway AS g, @runtime_stage AS s, @model_kind_name AS k FROM @this_model", { ...CONTEXT, thisModel: 'sqlmesh__s.s__m__123' })).toBe(
      "SELECT 'local' AS g, 'loading' AS s, 'FULL' AS k FROM sqlmesh__s.s__m__123",
    );
    expect(render('SELECT * FROM @this_model')).toBe('SELECT * FROM s.m');
  });
});

describe('user variables and @VAR', () => {
  it('substitutes config variables case-insensitively: literals in value positions, identifiers in name positions', () => {
    expect(render("SELECT @threshold AS t, @src_schema AS s, @flag AS f FROM @src_schema.events JOIN @{src_schema}.users USING (id)")).toBe(
      "SELECT 3 AS t, 'raw' AS s, TRUE AS f FROM raw.events JOIN raw.users USING (id)",
    );
  });

  it('reads variables with @VAR and falls back to the default', () => {
    expect(render("SELECT @VAR('threshold') AS a, @VAR('missing', 10) AS b, @VAR('missing') AS c")).toBe('SELECT 3 AS a, 10 AS b, NULL AS c');
  });

  it('builds identifiers with col_@x and @{x}_col', () => {
    expect(render("@DEF(suffix, 'eur');\nSELECT amount_@suffix, @{suffix}_rate, my_@{suffix}_col FROM t")).toBe('SELECT amount_eur, eur_rate, my_eur_col FROM t');
  });
});

describe('blueprint variables', () => {
  it('renders blueprint variables and @BLUEPRINT_VAR, with @DEF taking precedence', () => {
    const m = { ...model("@DEF(kept, 1);\nSELECT @flag AS f, @BLUEPRINT_VAR('status', 'none') AS s, @BLUEPRINT_VAR('nope', 0) AS n, @kept AS k FROM t"), blueprintVariables: { flag: "'a'", status: 'active', kept: '2' } };
    expect(renderModel(m, CONTEXT).query).toBe("SELECT 'a' AS f, active AS s, 0 AS n, 1 AS k FROM t");
  });
});

describe('@DEF', () => {
  it('defines values used later and disappears from the statements', () => {
    const out = renderModel(model("@DEF(size, 1);\n@DEF(name, 'x');\nSELECT @size AS s, @name AS n FROM t WHERE id > @size"), CONTEXT);
    expect(out.preStatements).toEqual([]);
    expect(out.query).toBe("SELECT 1 AS s, 'x' AS n FROM t WHERE id > 1");
  });

  it('defines lambdas with one or several parameters, and nested lambda calls', () => {
    expect(
      render(`@DEF(pythag, (x, y) -> sqrt(pow(x, 2) + pow(y, 2)));
@DEF(area, r -> pi() * r * r);
@DEF(volume, (r, h) -> @area(@r) * h);
SELECT @pythag(side_a, side_b) AS c, @volume(d / 2, hi) AS v FROM t`),
    ).toBe('SELECT sqrt(pow(side_a, 2) + pow(side_b, 2)) AS c, pi() * d / 2 * d / 2 * hi AS v FROM t');
  });
});

describe('@IF', () => {
  it('keeps the true branch, the false branch, or nothing (dropping the dangling comma)', () => {
    expect(render('SELECT col1, @IF(1 > 0, sensitive_col) FROM t')).toBe('SELECT col1, sensitive_col FROM t');
    expect(render('SELECT col1, @IF(1 > 2, sensitive_col, other_col) FROM t')).toBe('SELECT col1, other_col FROM t');
    expect(render('SELECT col1, @IF(1 > 2, sensitive_col) FROM t')).toBe('SELECT col1 FROM t');
    expect(render('SELECT @IF(FALSE, a), col2 FROM t')).toBe('SELECT col2 FROM t');
    expect(render("SELECT @IF(@gateway = 'local', 'dev', 'prod') AS env, @IF(2 BETWEEN 1 AND 3 AND 'a' IN ('a', 'b'), 1, 0) AS ok")).toBe(
      "SELECT 'dev' AS env, 1 AS ok",
    );
  });

  it('runs a statement only in the given runtime stage', () => {
    const m = model("SELECT 1 AS x;\n@IF(@runtime_stage = 'evaluating', ALTER TABLE t ALTER x TYPE VARCHAR);");
    expect(renderModel(m, { ...CONTEXT, runtimeStage: 'creating' }).postStatements).toEqual([]);
    expect(renderModel(m, { ...CONTEXT, runtimeStage: 'evaluating' }).postStatements).toEqual(['ALTER TABLE t ALTER x TYPE VARCHAR']);
  });
});

describe('@EACH, @FILTER, @REDUCE', () => {
  it('maps a list, keeping literal quoting and building identifiers with @x', () => {
    expect(render('SELECT @EACH([4, 5], x -> CASE WHEN n = x THEN 1 ELSE 0 END AS col_@x) FROM t')).toBe(
      'SELECT CASE WHEN n = 4 THEN 1 ELSE 0 END AS col_4, CASE WHEN n = 5 THEN 1 ELSE 0 END AS col_5 FROM t',
    );
    expect(render("SELECT @EACH(['a', 'b'], x -> x = region AS is_@x) FROM t")).toBe("SELECT 'a' = region AS is_a, 'b' = region AS is_b FROM t");
    expect(render('SELECT @EACH(@regions, r -> SUM(amount) FILTER (WHERE region = r) AS @{r}_amount) FROM t')).toBe(
      "SELECT SUM(amount) FILTER (WHERE region = 'north') AS north_amount, SUM(amount) FILTER (WHERE region = 'south') AS south_amount FROM t",
    );
  });

  it('filters a list with a condition', () => {
    expect(render('SELECT @EACH(@FILTER([1, 2, 3], x -> x > 1), x -> x * 10) FROM t')).toBe('SELECT 2 * 10, 3 * 10 FROM t');
  });

  it('reduces a list, e.g. predicates built with @EACH chained with AND', () => {
    expect(render('SELECT c FROM t WHERE @REDUCE(@EACH([col1, col2, col3], x -> x = 1), (x, y) -> x AND y)')).toBe(
      'SELECT c FROM t WHERE col1 = 1 AND col2 = 1 AND col3 = 1',
    );
    expect(render('SELECT @REDUCE([1, 2, 3, 4], (x, y) -> x + y) AS total')).toBe('SELECT 1 + 2 + 3 + 4 AS total');
  });
});

describe('@SQL, @EVAL, @STAR, @UNION, @GENERATE_SURROGATE_KEY and friends', () => {
  it('turns a string into SQL with @SQL and evaluates with @EVAL', () => {
    expect(render("@DEF(col, 'amount');\nSELECT @SQL(@col) AS a, @SQL('UPPER(name)') AS b, @EVAL(5 + @threshold) AS c FROM t")).toBe(
      'SELECT amount AS a, UPPER(name) AS b, 8 AS c FROM t',
    );
  });

  it('expands @STAR from the relation columns with alias, exclusions and prefix', () => {
    expect(render("SELECT @STAR(foo, bar, [c], 'baz_') FROM foo AS bar")).toBe(
      'SELECT CAST("bar"."a" AS TEXT) AS "baz_a", CAST("bar"."b" AS TEXT) AS "baz_b", CAST("bar"."d" AS INT) AS "baz_d" FROM foo AS bar',
    );
    expect(render('SELECT @STAR(bar, exclude := [a, b], suffix := \'_x\', quote_identifiers := FALSE) FROM bar')).toBe(
      'SELECT CAST(c AS TEXT) AS c_x FROM bar',
    );
  });

  it('builds @UNION over the columns with the same name and type', () => {
    expect(render("@UNION('distinct', foo, bar)", CONTEXT, 'MODEL (name s.m, kind FULL);')).toBe(
      'SELECT CAST(c AS TEXT) AS c FROM foo UNION SELECT CAST(c AS TEXT) AS c FROM bar',
    );
    expect(render('SELECT * FROM (@UNION(bar, baz))')).toBe(
      'SELECT * FROM (SELECT CAST(a AS INT) AS a, CAST(c AS TEXT) AS c FROM bar UNION ALL SELECT CAST(a AS INT) AS a, CAST(c AS TEXT) AS c FROM baz)',
    );
    expect(render("SELECT * FROM (@UNION(@gateway = 'prod', 'all', bar, baz))")).toBe('SELECT * FROM (SELECT CAST(a AS INT) AS a, CAST(c AS TEXT) AS c FROM bar)');
  });

  it('generates surrogate keys like SQLMesh', () => {
    expect(render('SELECT @GENERATE_SURROGATE_KEY(a, b) AS k FROM foo')).toBe(
      "SELECT MD5(CONCAT(COALESCE(CAST(a AS TEXT), '_sqlmesh_surrogate_key_null_'), '|', COALESCE(CAST(b AS TEXT), '_sqlmesh_surrogate_key_null_'))) AS k FROM foo",
    );
    expect(render("SELECT @GENERATE_SURROGATE_KEY(a, hash_function := 'sha256') AS k FROM foo")).toBe(
      "SELECT SHA256(CONCAT(COALESCE(CAST(a AS TEXT), '_sqlmesh_surrogate_key_null_'))) AS k FROM foo",
    );
  });

  it('renders @SAFE_ADD, @SAFE_SUB, @SAFE_DIV, @AND and @OR', () => {
    expect(render('SELECT @SAFE_ADD(a, b), @SAFE_SUB(a, b), @SAFE_DIV(a, b) FROM t')).toBe(
      'SELECT CASE WHEN a IS NULL AND b IS NULL THEN NULL ELSE COALESCE(a, 0) + COALESCE(b, 0) END, CASE WHEN a IS NULL AND b IS NULL THEN NULL ELSE COALESCE(a, 0) - COALESCE(b, 0) END, a / NULLIF(b, 0) FROM t',
    );
    expect(render('SELECT * FROM t WHERE @AND(x > 1, NULL, y OR z) AND @OR(TRUE, NULL)')).toBe('SELECT * FROM t WHERE x > 1 AND (y OR z) AND TRUE');
  });

  it('includes or drops clauses with @WHERE, @GROUP_BY, @ORDER_BY and @JOIN', () => {
    expect(render('SELECT * FROM t @WHERE(1 < 2) x > @threshold @ORDER_BY(FALSE) x')).toBe('SELECT * FROM t WHERE x > 3');
    expect(render('SELECT * FROM t LEFT OUTER @JOIN(@flag) u ON t.id = u.id\n@WHERE(FALSE) x > 1\nGROUP BY 1')).toBe(
      'SELECT * FROM t LEFT OUTER JOIN u ON t.id = u.id\nGROUP BY 1',
    );
    expect(render('SELECT * FROM t LEFT @JOIN(FALSE) u ON t.id = u.id WHERE x')).toBe('SELECT * FROM t WHERE x');
  });
});

describe('@PIVOT, @DEDUPLICATE, @DATE_SPINE and @HAVERSINE_DISTANCE', () => {
  it('pivots values into one aggregate per value, named as SQLMesh names them', () => {
    expect(render("SELECT date_day, @PIVOT(status, ['cancelled', 'completed']) FROM rides GROUP BY 1")).toBe(
      `SELECT date_day, SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS "'cancelled'", SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS "'completed'" FROM rides GROUP BY 1`,
    );
    expect(render("SELECT @PIVOT(n, [1, 2], agg := 'MAX', prefix := 'n_', then_value := amount, else_value := NULL, quote := FALSE, distinct := TRUE) FROM t")).toBe(
      'SELECT MAX(DISTINCT CASE WHEN n = 1 THEN amount ELSE NULL END) AS n_1, MAX(DISTINCT CASE WHEN n = 2 THEN amount ELSE NULL END) AS n_2 FROM t',
    );
  });

  it('deduplicates a relation with QUALIFY ROW_NUMBER()', () => {
    expect(render("@DEDUPLICATE(demo.events, [user_id, CAST(ts AS DATE)], ['ts DESC', 'status ASC'])")).toBe(
      'SELECT * FROM demo.events QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id, CAST(ts AS DATE) ORDER BY ts DESC, status ASC) = 1',
    );
  });

  it('builds a date spine over literal dates or expressions', () => {
    expect(render("@DATE_SPINE('week', '2022-01-20', '2024-12-16')")).toBe(
      "SELECT date_week FROM UNNEST(CAST(GENERATE_SERIES(CAST('2022-01-20' AS DATE), CAST('2024-12-16' AS DATE), INTERVAL '1' WEEK) AS DATE[])) AS _exploded(date_week)",
    );
    expect(render("SELECT * FROM (@DATE_SPINE('day', @start_date, @end_date))")).toBe(
      "SELECT * FROM (SELECT date_day FROM UNNEST(CAST(GENERATE_SERIES(CAST('2024-01-01' AS DATE), CAST('2024-01-01' AS DATE), INTERVAL '1' DAY) AS DATE[])) AS _exploded(date_day))",
    );
  });

  it('writes the haversine distance in miles or kilometres', () => {
    expect(render("SELECT @HAVERSINE_DISTANCE(a_lat, a_lon, b_lat, b_lon, 'km') AS d FROM t")).toBe(
      'SELECT 7922 * ASIN(SQRT((POWER(SIN(RADIANS((b_lat - a_lat) / 2)), 2)) + (COS(RADIANS(a_lat)) * COS(RADIANS(b_lat)) * POWER(SIN(RADIANS((b_lon - a_lon) / 2)), 2)))) * 1.60934 AS d FROM t',
    );
  });

  it('renders SQL that DuckDB runs with the results the macros promise', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const rows = async (query: string | undefined) => (await connection.runAndReadAll(query ?? '')).getRowObjectsJson();
    try {
      await connection.run(
        "CREATE TABLE rides AS SELECT * FROM (VALUES (1, 'cancelled', DATE '2024-01-01'), (1, 'completed', DATE '2024-01-02'), (2, 'completed', DATE '2024-01-03')) v(rider, status, day)",
      );
      const pivoted = await rows(render("SELECT rider, @PIVOT(status, ['cancelled', 'completed']) FROM rides GROUP BY 1 ORDER BY 1"));
      expect(pivoted.map((r) => Object.entries(r).map(([k, v]) => `${k}=${String(v)}`))).toEqual([
        ['rider=1', "'cancelled'=1", "'completed'=1"],
        ['rider=2', "'cancelled'=0", "'completed'=1"],
      ]);
      expect(await rows(`SELECT rider, day FROM (${render("@DEDUPLICATE(rides, [rider], ['day DESC'])")}) ORDER BY rider`)).toEqual([
        { rider: 1, day: '2024-01-02' },
        { rider: 2, day: '2024-01-03' },
      ]);
      expect(await rows(render("@DATE_SPINE('month', '2024-01-15', '2024-04-01')"))).toEqual([{ date_month: '2024-01-15' }, { date_month: '2024-02-15' }, { date_month: '2024-03-15' }]);
      const [nyToLondon] = await rows(render("SELECT @HAVERSINE_DISTANCE(40.7128, -74.0060, 51.5074, -0.1278, 'km') AS km"));
      expect(Number(nyToLondon?.km)).toBeCloseTo(5570, -1);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  });

  it('reports bad arguments at the argument', () => {
    const codes = (body: string) => renderModel(model(body), CONTEXT).diagnostics.map((d) => [d.line, d.column, d.message]);
    expect(codes("@DATE_SPINE('fortnight', '2024-01-01', '2024-02-01')")).toEqual([[2, 13, expect.stringContaining("datepart 'fortnight'")]]);
    expect(codes("@DATE_SPINE('day', '2024-02-30', '2024-03-01')")).toEqual([[2, 20, expect.stringContaining('YYYY-MM-DD')]]);
    expect(codes("@DATE_SPINE('day', '2024-03-01', '2024-02-01')")).toEqual([[2, 20, expect.stringContaining('after')]]);
    expect(codes('@DEDUPLICATE(t, id, [])')).toEqual([[2, 17, expect.stringContaining('must be a list')]]);
    expect(codes("SELECT @HAVERSINE_DISTANCE(a, b, c, d, 'ly') FROM t")).toEqual([[2, 40, expect.stringContaining("unit 'ly'")]]);
  });
});

describe('render errors', () => {
  it('reports undefined variables, unknown macros and unevaluable conditions at their line and column, all at once', () => {
    const m = model('@DEF(ok, 1);\nSELECT @missing AS a,\n  @python_macro(x) AS b\nFROM t WHERE @IF(some_column, 1)');
    const out = renderModel(m, CONTEXT);
    expect(out.diagnostics.map((d) => [d.file, d.line, d.column, d.code])).toEqual([
      ['models/m.sql', 3, 8, 'render.undefined_variable'],
      ['models/m.sql', 4, 3, 'render.unknown_macro'],
      ['models/m.sql', 5, 14, 'render.eval'],
    ]);
    expect(out.diagnostics[0]?.message).toContain('@missing');
  });

  it('reports @STAR on a relation whose columns are unknown', () => {
    const out = renderModel(model('SELECT @STAR(unknown_table) FROM unknown_table'), CONTEXT);
    expect(out.diagnostics[0]).toMatchObject({ line: 2, column: 8, code: 'render.unknown_columns' });
  });
});

describe('renderAudit', () => {
  it('binds the call arguments over the audit defaults and @this_model to the audited table', () => {
    const text = `AUDIT (name assert_range, defaults (low = 0, high = 10));
SELECT * FROM @this_model WHERE @column < @low OR @column > @high;`;
    const d = new Diagnostics();
    const lines = new LineIndex(text);
    const [audit] = readAudits(splitStatements(tokenize(text).tokens), text, lines, new PropertyReader('audits/a.sql', lines, d));
    if (!audit) throw new Error(JSON.stringify(d.items));
    const m = model('SELECT 1 AS amount', "MODEL (name s.m, kind FULL, audits (assert_range(column := amount, high := 100)));");
    const out = renderAudit(audit, m.audits[0], { modelName: 's.m', thisModel: 'sqlmesh__s.s__m__1' });
    expect(out.diagnostics).toEqual([]);
    expect(out.query).toBe('SELECT * FROM sqlmesh__s.s__m__1 WHERE amount < 0 OR amount > 100');
  });
});
