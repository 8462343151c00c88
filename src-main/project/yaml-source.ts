/**
 * A YAML file of the project, parsed with source ranges: env_var substitution first, then the
 * `yaml` document, then helpers that turn a value path (from zod issues or our own checks) into
 * the file/line/column of the node as the user wrote it.
 */
import { isMap, isNode, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { type Diagnostics, LineIndex, type SourceRange } from './diagnostics';
import { type ProjectEnv, substituteEnvVars, type SubstitutedText } from './env';

export type ValuePath = readonly PropertyKey[];

export class YamlSource {
  readonly lines: LineIndex;
  readonly substituted: SubstitutedText;
  readonly doc: Document;
  /** The plain JS value of the document (undefined when empty). */
  readonly value: unknown;

  constructor(
    readonly file: string,
    text: string,
    env: ProjectEnv,
    readonly diagnostics: Diagnostics,
  ) {
    this.lines = new LineIndex(text);
    this.substituted = substituteEnvVars(text, file, env, diagnostics);
    this.doc = parseDocument(this.substituted.text, { prettyErrors: false, uniqueKeys: true });
    for (const error of this.doc.errors) {
      diagnostics.error(file, this.range(error.pos[0], error.pos[1]), 'yaml.syntax', firstLine(error.message));
    }
    for (const warning of this.doc.warnings) {
      diagnostics.warning(file, this.range(warning.pos[0], warning.pos[1]), 'yaml.warning', firstLine(warning.message));
    }
    this.value = this.doc.errors.length > 0 ? undefined : (this.doc.toJS({ maxAliasCount: 100 }) as unknown);
  }

  /** A range of the original text from offsets of the substituted text. */
  range(start: number, end: number): SourceRange {
    const from = this.substituted.originalOffset(start);
    const to = Math.max(from, this.substituted.originalOffset(end));
    return this.lines.range(from, to);
  }

  nodeRange(node: Node | undefined): SourceRange {
    const r = node?.range;
    if (!r) return this.lines.range(0, 0);
    return this.range(r[0], r[1]);
  }

  /** The deepest node on `path` (missing tail → its nearest existing parent). */
  nodeAt(path: ValuePath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair || !isNode(pair.value)) return isNode(node) ? node : undefined;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (!isNode(item)) return node;
        node = item;
      } else {
        break;
      }
    }
    return isNode(node) ? node : undefined;
  }

  rangeAt(path: ValuePath): SourceRange {
    return this.nodeRange(this.nodeAt(path));
  }

  /** Range of the key `key` of the map at `path`. */
  keyRange(path: ValuePath, key: string): SourceRange {
    const map = this.nodeAt(path);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === key) return this.nodeRange(pair.key);
      }
    }
    return this.nodeRange(map);
  }

  /** Keys of the map at `path`, in file order (empty when it is not a map). */
  keysAt(path: ValuePath): string[] {
    const map = this.nodeAt(path);
    if (!isMap(map) || map !== this.exactNodeAt(path)) return [];
    return map.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []));
  }

  private exactNodeAt(path: ValuePath): Node | undefined {
    const node = this.doc.getIn(path as unknown[], true);
    if (path.length === 0) return isNode(this.doc.contents) ? this.doc.contents : undefined;
    return isNode(node) ? node : undefined;
  }

  /** Warns about every key of the map at `path` that is not in `known`. */
  warnUnknownKeys(path: ValuePath, known: ReadonlySet<string>, what: string, code = 'yaml.unknown_key'): void {
    for (const key of this.keysAt(path)) {
      if (!known.has(key)) {
        this.diagnostics.warning(this.file, this.keyRange(path, key), code, `Unknown key '${key}' in ${what}; it is ignored`);
      }
    }
  }

  /** One error per zod issue, placed at the offending node. */
  reportIssues(issues: readonly z.core.$ZodIssue[], code: string, prefix: ValuePath = []): void {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      const where = path.length > 0 ? `'${path.map(String).join('.')}'` : 'the file';
      this.diagnostics.error(this.file, this.rangeAt(path), code, `Invalid ${where}: ${issue.message}`);
    }
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
