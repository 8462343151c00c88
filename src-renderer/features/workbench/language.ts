/**
 * Editor intelligence for model files in Monaco (the `duckdb` language): completion of model
 * names, of the columns of referenced models (after `alias.` too), of header properties and
 * kinds, of macros and DuckDB functions; hover with a column's type and description or a
 * model's kind and description; go to definition of a model (its file), a CTE, or a column's
 * upstream expression (from lineage); format document. Project knowledge comes from the
 * workbench store's tree; files are models with `pas:/<relative path>` URIs.
 */
import type { SqlDialect } from '../../../src-shared/contract';
import type { WorkbenchModel } from '../../../src-shared/workbench-contract';
import { useWorkbench } from '../../store/workbench';
import type { Client } from '../../transport/client';
import { DUCKDB_LANGUAGE } from '../editor/duckdb-language';
import { monaco } from '../editor/monaco';
import { formatModelText } from './format';
import { cteDefinitions, cursorContext, dottedWordAt, headerEnd, HEADER_PROPERTIES, MACRO_VARIABLES, MODEL_KINDS, relationAliases } from './sql-context';

const SCHEME = 'pas';

export function uriOf(path: string): monaco.Uri {
  return monaco.Uri.from({ scheme: SCHEME, path: `/${path}` });
}

export function pathOf(uri: monaco.Uri): string | undefined {
  return uri.scheme === SCHEME ? uri.path.replace(/^\//, '') : undefined;
}

function languageOf(path: string): string {
  // Only SQL has a language here; other files are edited as plain text.
  return path.endsWith('.sql') ? DUCKDB_LANGUAGE : 'plaintext';
}

/** The Monaco model of a project file, created with `text` when it does not exist yet. */
export function modelFor(path: string, text: string): monaco.editor.ITextModel {
  const uri = uriOf(path);
  return monaco.editor.getModel(uri) ?? monaco.editor.createModel(text, languageOf(path), uri);
}

function models(): WorkbenchModel[] {
  return useWorkbench.getState().tree?.models ?? [];
}

function findModel(name: string): WorkbenchModel | undefined {
  const key = name.toLowerCase();
  return models().find((m) => m.name.toLowerCase() === key || (key.split('.').length === 3 && m.name.toLowerCase() === key.split('.').slice(1).join('.')));
}

function queryText(text: string): string {
  return text.slice(headerEnd(text));
}

/** Models read by the query (through FROM/JOIN), with the name each is referred to by. */
function referencedModels(text: string): { alias: string; model: WorkbenchModel }[] {
  const out: { alias: string; model: WorkbenchModel }[] = [];
  for (const [alias, relation] of relationAliases(queryText(text))) {
    const model = findModel(relation);
    if (model) out.push({ alias, model });
  }
  return out;
}

function modelDoc(model: WorkbenchModel): string {
  const lines = [`**${model.name}** · \`${model.kind}\``];
  if (model.description) lines.push(model.description);
  lines.push(`${model.columns.length} column${model.columns.length === 1 ? '' : 's'} · ${model.file}`);
  return lines.join('\n\n');
}

let client: Client | undefined;
let dialect: SqlDialect = { keywords: [], functions: [], types: [] };
let registered = false;

/** The model (and column) a column reference at `parts[index]` denotes. */
function resolveColumn(text: string, parts: string[], index: number): { model: WorkbenchModel; column: string } | undefined {
  const column = parts[index];
  if (!column) return undefined;
  if (index > 0) {
    const qualifier = parts.slice(0, index).join('.');
    const relation = relationAliases(queryText(text)).get(qualifier) ?? qualifier;
    const model = findModel(relation);
    return model && model.columns.some((c) => c.name.toLowerCase() === column) ? { model, column } : undefined;
  }
  for (const { model } of referencedModels(text)) if (model.columns.some((c) => c.name.toLowerCase() === column)) return { model, column };
  return undefined;
}

async function location(path: string, line: number, column: number): Promise<monaco.languages.Location | undefined> {
  if (!monaco.editor.getModel(uriOf(path))) {
    if (!client) return undefined;
    const file = await client.invoke('project.file', { path }).catch(() => undefined);
    if (!file) return undefined;
    modelFor(path, file.text);
  }
  return { uri: uriOf(path), range: new monaco.Range(line, column, line, column) };
}

/** Registers the providers once; `useClient` and `setDialect` keep them current. */
export function registerWorkbenchLanguage(c: Client, d?: SqlDialect): void {
  client = c;
  if (d) dialect = d;
  if (registered) return;
  registered = true;
  const Kind = monaco.languages.CompletionItemKind;

  monaco.languages.registerCompletionItemProvider(DUCKDB_LANGUAGE, {
    triggerCharacters: ['.', '@'],
    provideCompletionItems(model, position) {
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const word = model.getWordUntilPosition(position);
      const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      const context = cursorContext(text, offset);
      const suggestions: monaco.languages.CompletionItem[] = [];
      const add = (label: string, kind: monaco.languages.CompletionItemKind, detail?: string, documentation?: string, sortText?: string) =>
        suggestions.push({ label, kind, insertText: label, range, ...(detail ? { detail } : {}), ...(documentation ? { documentation: { value: documentation } } : {}), ...(sortText ? { sortText } : {}) });
      switch (context.kind) {
        case 'header':
          if (context.afterKind) for (const k of MODEL_KINDS) add(k, Kind.EnumMember, 'model kind');
          else {
            for (const p of HEADER_PROPERTIES) add(p, Kind.Property, 'MODEL property');
            for (const k of MODEL_KINDS) add(k, Kind.EnumMember, 'model kind', undefined, `z${k}`);
          }
          break;
        case 'macro':
          for (const m of useWorkbench.getState().tree?.macros ?? []) add(m.toUpperCase(), Kind.Function, 'macro');
          for (const v of MACRO_VARIABLES) add(v, Kind.Variable, 'macro variable');
          break;
        case 'member': {
          const relation = relationAliases(queryText(text)).get(context.qualifier) ?? context.qualifier;
          const target = findModel(relation);
          if (target) {
            for (const [i, c] of target.columns.entries()) add(c.name, Kind.Field, `${c.type ?? ''} · ${target.name}`, c.description, String(i).padStart(4, '0'));
          } else {
            for (const m of models()) if (m.schema.toLowerCase() === context.qualifier) add(m.name.split('.').pop() ?? m.name, Kind.Module, m.kind, modelDoc(m));
          }
          break;
        }
        case 'sql': {
          const seen = new Set<string>();
          for (const { model: m } of referencedModels(text)) {
            for (const c of m.columns) {
              if (seen.has(c.name)) continue;
              seen.add(c.name);
              add(c.name, Kind.Field, `${c.type ?? ''} · ${m.name}`, c.description, `0${c.name}`);
            }
          }
          for (const m of models()) add(m.name, Kind.Module, m.kind, modelDoc(m), `1${m.name}`);
          for (const name of cteDefinitions(queryText(text)).keys()) add(name, Kind.Struct, 'CTE', undefined, `1${name}`);
          for (const f of dialect.functions) add(f, Kind.Function, 'DuckDB function', undefined, `3${f}`);
          for (const k of dialect.keywords) add(k.toUpperCase(), Kind.Keyword, undefined, undefined, `2${k}`);
          break;
        }
      }
      return { suggestions };
    },
  });

  monaco.languages.registerHoverProvider(DUCKDB_LANGUAGE, {
    provideHover(model, position) {
      const text = model.getValue();
      const found = dottedWordAt(text, model.getOffsetAt(position));
      if (!found || model.getOffsetAt(position) < headerEnd(text)) return undefined;
      const start = model.getPositionAt(found.start);
      const end = model.getPositionAt(found.end);
      const range = new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column);
      const asModel = findModel(found.parts.slice(0, found.index + 1).join('.'));
      if (asModel && found.index >= 1) return { range, contents: [{ value: modelDoc(asModel) }] };
      const column = resolveColumn(text, found.parts, found.index);
      if (column) {
        const def = column.model.columns.find((c) => c.name.toLowerCase() === column.column);
        return { range, contents: [{ value: `**${def?.name ?? column.column}** \`${def?.type ?? 'unknown type'}\` · from ${column.model.name}${def?.description ? `\n\n${def.description}` : ''}` }] };
      }
      return undefined;
    },
  });

  monaco.languages.registerDefinitionProvider(DUCKDB_LANGUAGE, {
    async provideDefinition(model, position) {
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const found = dottedWordAt(text, offset);
      if (!found) return undefined;
      const asModel = findModel(found.parts.slice(0, found.index + 1).join('.'));
      if (asModel && found.index >= 1) return location(asModel.file, 1, 1);
      if (found.parts.length === 1) {
        const cte = cteDefinitions(text).get(found.parts[0] ?? '');
        if (cte !== undefined) {
          const at = model.getPositionAt(cte);
          return { uri: model.uri, range: new monaco.Range(at.lineNumber, at.column, at.lineNumber, at.column) };
        }
        const bare = findModel(found.parts[0] ?? '');
        if (bare) return location(bare.file, 1, 1);
      }
      const column = resolveColumn(text, found.parts, found.index);
      if (column && client) {
        const view = await client.invoke('lineage.graph', { model: column.model.name, column: column.column, upstream: 0, downstream: 0 }).catch(() => undefined);
        const position = view?.nodes.find((n) => n.model.toLowerCase() === column.model.name.toLowerCase())?.columns.find((c) => c.name.toLowerCase() === column.column)?.position;
        return location(position?.file ?? column.model.file, position?.line ?? 1, position?.column ?? 1);
      }
      return undefined;
    },
  });

  monaco.languages.registerDocumentFormattingEditProvider(DUCKDB_LANGUAGE, {
    provideDocumentFormattingEdits(model) {
      try {
        return [{ range: model.getFullModelRange(), text: formatModelText(model.getValue()) }];
      } catch {
        return [];
      }
    },
  });

  // Go to definition in another file opens (or shows) its tab instead of a peek.
  monaco.editor.registerEditorOpener({
    openCodeEditor(_source, resource, selection) {
      const path = pathOf(resource);
      if (!path || !client) return false;
      const at = selection && 'lineNumber' in selection ? { line: selection.lineNumber, column: selection.column } : selection && 'startLineNumber' in selection ? { line: selection.startLineNumber, column: selection.startColumn } : undefined;
      void useWorkbench.getState().open(client, path, at);
      return true;
    },
  });
}
