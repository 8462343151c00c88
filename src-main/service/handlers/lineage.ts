/**
 * `lineage.*` and `project.file`: the lineage view's data. A view is the focus model (or one
 * of its columns) plus the models within N hops upstream and downstream, with every column
 * edge between them; the client highlights paths and asks again to expand a side.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { PasException } from '../../../src-shared/errors';
import type { LineageEdge, LineageNode, LineageView } from '../../../src-shared/lineage';
import type { ProjectLineage } from '../../lineage/project-lineage';
import type { ProjectSession } from '../project-session';
import type { Handlers } from './types';

function key(name: string): string {
  return name.toLowerCase();
}

/** Model-level neighbours through column dependencies (upstream) or users (downstream). */
function neighbours(lineage: ProjectLineage, model: string, direction: 'up' | 'down'): Set<string> {
  const out = new Set<string>();
  const state = lineage.graph.model(model);
  if (direction === 'up') {
    for (const column of state?.lineage.columns ?? []) for (const dep of column.upstream) out.add(key(dep.relation));
  } else {
    const relation = lineage.graph.relation(model);
    for (const column of relation?.columns ?? []) for (const user of lineage.graph.downstream(relation?.name ?? model, column)) out.add(key(user.model));
  }
  out.delete(key(model));
  return out;
}

function walk(lineage: ProjectLineage, start: string, direction: 'up' | 'down', depth: number, into: Set<string>): Set<string> {
  const frontierEdge = new Set<string>();
  let frontier = new Set([start]);
  for (let level = 0; level < depth && frontier.size > 0; level++) {
    const next = new Set<string>();
    for (const model of frontier) for (const n of neighbours(lineage, model, direction)) if (!into.has(n)) next.add(n);
    for (const n of next) into.add(n);
    frontier = next;
  }
  for (const model of frontier) if (neighbours(lineage, model, direction).size > 0) frontierEdge.add(model);
  return frontierEdge;
}

export function buildLineageView(lineage: ProjectLineage, model: string, column: string | undefined, upstream: number, downstream: number): LineageView {
  // The focus is a model, or a root (external model, lake table) whose users are shown downstream.
  const focus = lineage.graph.relation(model);
  if (!focus) throw new PasException({ code: 'not_found', what: 'model', message: `No model or source table named ${model} in the project.` });
  if (column && !focus.columns.some((c) => key(c) === key(column))) {
    throw new PasException({ code: 'not_found', what: 'column', message: `${focus.name} has no column ${column}.` });
  }
  const included = new Set([key(focus.name)]);
  const moreUp = walk(lineage, key(focus.name), 'up', upstream, included);
  const moreDown = walk(lineage, key(focus.name), 'down', downstream, included);
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const sourceColumns = new Map<string, Set<string>>();
  for (const name of included) {
    const state = lineage.graph.model(name);
    if (!state) continue;
    const definition = lineage.model(name);
    nodes.push({
      model: state.name,
      kind: definition?.kind.name ?? 'MODEL',
      ...(definition ? { file: definition.file } : {}),
      columns: state.lineage.columns.map((c) => {
        const position = lineage.filePosition(state.name, c.range?.start, c.expression);
        return {
          name: c.column,
          ...(c.expression !== undefined ? { expression: c.expression } : {}),
          ...(position ? { position } : {}),
          ...(c.unknown ? { unknown: c.unknown.reason } : {}),
        };
      }),
    });
    for (const c of state.lineage.columns) {
      for (const dep of c.upstream) {
        const from = key(dep.relation);
        if (!included.has(from)) continue;
        if (!lineage.graph.model(from)) {
          let set = sourceColumns.get(from);
          if (!set) sourceColumns.set(from, (set = new Set()));
          set.add(dep.column);
        }
        edges.push({ from: { model: dep.relation, column: dep.column }, to: { model: state.name, column: c.column }, kind: dep.kind, ...(dep.expression !== undefined ? { expression: dep.expression } : {}) });
      }
    }
  }
  if (!focus.isModel) {
    // The root in focus lists all its columns, in its own order.
    sourceColumns.set(key(focus.name), new Set([...focus.columns, ...(sourceColumns.get(key(focus.name)) ?? [])]));
  }
  // Tables that are not models (sources) become nodes listing the columns used from them.
  for (const [name, columns] of sourceColumns) {
    const definition = lineage.model(name);
    nodes.push({ model: name, kind: definition?.kind.name ?? 'SOURCE', ...(definition ? { file: definition.file } : {}), columns: (name === key(focus.name) ? [...columns] : [...columns].sort()).map((c) => ({ name: c })) });
  }
  const impact = column ? lineage.graph.impact(focus.name, column) : undefined;
  return {
    focus: { model: focus.name, ...(column ? { column } : {}) },
    ...(impact ? { impact } : {}),
    nodes,
    edges,
    moreUpstream: [...moreUp],
    moreDownstream: [...moreDown],
  };
}

export function lineageHandlers(project: ProjectSession): Handlers<'lineage.models' | 'lineage.graph' | 'project.file'> {
  return {
    'lineage.models': async () => {
      const lineage = await project.lineage();
      const models = lineage.graph
        .modelNames()
        .sort()
        .map((name) => ({ name, kind: lineage.model(name)?.kind.name ?? 'MODEL', columns: lineage.graph.model(name)?.lineage.columns.map((c) => c.column) ?? [] }));
      // Roots (external models, lake tables) too: a downstream view can start from them.
      const roots = lineage.graph
        .rootNames()
        .sort()
        .map((name) => ({ name, kind: lineage.model(name)?.kind.name ?? 'SOURCE', columns: lineage.graph.relation(name)?.columns ?? [] }));
      return { models: [...models, ...roots] };
    },
    'lineage.graph': async ({ model, column, upstream, downstream }) => buildLineageView(await project.lineage(), model, column, upstream, downstream),
    'project.file': async ({ path: relative }) => {
      const outside = (): PasException =>
        new PasException({ code: 'validation', message: 'Invalid params for project.file', issues: [{ path: 'params.path', message: 'must stay inside the project folder' }] });
      const root = path.resolve(project.projectDir);
      const file = path.resolve(root, relative);
      if (!file.startsWith(root + path.sep)) throw outside();
      let real: string;
      try {
        real = await realpath(file);
      } catch {
        throw new PasException({ code: 'not_found', what: 'file', message: `No file ${relative} in the project.` });
      }
      // A symbolic link inside the project may point anywhere: what it points at must be inside too.
      const realRoot = await realpath(root);
      if (!real.startsWith(realRoot + path.sep)) throw outside();
      try {
        return { path: path.relative(root, file).split(path.sep).join('/'), text: await readFile(real, 'utf8') };
      } catch {
        throw new PasException({ code: 'not_found', what: 'file', message: `No file ${relative} in the project.` });
      }
    },
  };
}
