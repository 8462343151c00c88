/**
 * A warehouse over several catalogs of one DuckDB connection (`catalogs:` with more than one
 * entry): a model named `catalog.schema.table` lives in that catalog, every other model in the
 * default one (the first entry), as SQLMesh places them. Each operation goes to the warehouse
 * of its name's catalog; reads run on the default catalog's connection, which sees every
 * attached catalog. Promotion commits once per catalog.
 */
import { PasException } from '../../src-shared/errors';
import type { Lake } from '../lake/lake';
import { LakeWarehouse } from './lake-warehouse';
import type { QualifiedName } from './naming';
import type { Row, Warehouse, WarehouseColumn } from './warehouse';

export class MultiCatalogWarehouse implements Warehouse {
  private readonly byAlias: Map<string, Warehouse>;

  constructor(
    readonly defaultWarehouse: Warehouse,
    readonly all: readonly Warehouse[],
  ) {
    this.byAlias = new Map(all.map((w) => [w.catalog.toLowerCase(), w]));
  }

  get catalog(): string {
    return this.defaultWarehouse.catalog;
  }

  /** The warehouse a name lives in, and the name without its catalog. */
  private route(name: QualifiedName): [Warehouse, QualifiedName] {
    const { catalog, ...rest } = name;
    if (catalog === undefined) return [this.defaultWarehouse, rest];
    const warehouse = this.byAlias.get(catalog.toLowerCase());
    if (!warehouse) {
      throw new PasException({
        code: 'validation',
        message: `${catalog}.${name.schema}.${name.table} names catalog '${catalog}', which is not one of the gateway's catalogs (${[...this.byAlias.keys()].join(', ')})`,
        issues: [],
      });
    }
    return [warehouse, rest];
  }

  qualify(name: QualifiedName): string {
    const [w, n] = this.route(name);
    return w.qualify(n);
  }

  async query(sql: string, signal?: AbortSignal): Promise<Row[]> {
    for (const w of this.all) if (w !== this.defaultWarehouse && w instanceof LakeWarehouse) await w.lake.refresh();
    return this.defaultWarehouse.query(sql, signal);
  }

  async ensureSchema(schema: string, catalog?: string): Promise<void> {
    const [w] = this.route({ ...(catalog !== undefined ? { catalog } : {}), schema, table: '' });
    await w.ensureSchema(schema);
  }

  exists(name: QualifiedName): Promise<'table' | 'view' | undefined> {
    const [w, n] = this.route(name);
    return w.exists(n);
  }

  columns(name: QualifiedName): Promise<WarehouseColumn[]> {
    const [w, n] = this.route(name);
    return w.columns(n);
  }

  replaceTable(name: QualifiedName, selectSql: string, signal?: AbortSignal): Promise<void> {
    const [w, n] = this.route(name);
    return w.replaceTable(n, selectSql, signal);
  }

  createEmptyTable(name: QualifiedName, selectSql: string, signal?: AbortSignal): Promise<void> {
    const [w, n] = this.route(name);
    return w.createEmptyTable(n, selectSql, signal);
  }

  deleteInsert(name: QualifiedName, predicateSql: string | undefined, selectSql: string, signal?: AbortSignal): Promise<void> {
    const [w, n] = this.route(name);
    return w.deleteInsert(n, predicateSql, selectSql, signal);
  }

  replaceView(name: QualifiedName, selectSql: string): Promise<void> {
    const [w, n] = this.route(name);
    return w.replaceView(n, selectSql);
  }

  addColumns(name: QualifiedName, columns: WarehouseColumn[]): Promise<void> {
    const [w, n] = this.route(name);
    return w.addColumns(n, columns);
  }

  async swapViews(views: { name: QualifiedName; selectSql: string }[], drop: QualifiedName[]): Promise<void> {
    const groups = new Map<Warehouse, { views: { name: QualifiedName; selectSql: string }[]; drop: QualifiedName[] }>();
    const group = (w: Warehouse) => groups.get(w) ?? groups.set(w, { views: [], drop: [] }).get(w)!;
    for (const view of views) {
      const [w, n] = this.route(view.name);
      group(w).views.push({ name: n, selectSql: view.selectSql });
    }
    for (const name of drop) {
      const [w, n] = this.route(name);
      group(w).drop.push(n);
    }
    for (const [w, g] of groups) await w.swapViews(g.views, g.drop);
  }

  drop(name: QualifiedName, what: 'table' | 'view'): Promise<void> {
    const [w, n] = this.route(name);
    return w.drop(n, what);
  }

  schemas(): Promise<string[]> {
    return this.defaultWarehouse.schemas();
  }

  objects(schema: string): Promise<{ name: string; kind: 'table' | 'view' }[]> {
    return this.defaultWarehouse.objects(schema);
  }
}

/** The lake warehouse of a workspace: the warehouse itself, or its first DuckLake catalog. */
export function lakeWarehouseOf(warehouse: Warehouse): LakeWarehouse | undefined {
  if (warehouse instanceof LakeWarehouse) return warehouse;
  if (warehouse instanceof MultiCatalogWarehouse) {
    if (warehouse.defaultWarehouse instanceof LakeWarehouse) return warehouse.defaultWarehouse;
    return warehouse.all.find((w): w is LakeWarehouse => w instanceof LakeWarehouse);
  }
  return undefined;
}

/** The lake of a workspace's warehouse, if it has one. */
export function lakeOf(warehouse: Warehouse): Lake | undefined {
  return lakeWarehouseOf(warehouse)?.lake;
}
