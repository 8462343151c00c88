/**
 * The `duckdb` language for Monaco: a Monarch tokenizer whose keyword, function and type
 * lists come from the engine itself (`sql.dialect`: duckdb_keywords(), duckdb_functions(),
 * duckdb_types()), so highlighting follows the DuckDB version we run. Covers DuckDB's own
 * syntax: `::` casts, `$1` and `?` parameters, `@macro` calls, E'' and dollar-quoted strings.
 */
import type { SqlDialect } from '../../../src-shared/contract';
import type { monaco as Monaco } from './monaco';

export const DUCKDB_LANGUAGE = 'duckdb';

type MonacoApi = typeof Monaco;

export function registerDuckDbLanguage(monaco: MonacoApi, dialect: SqlDialect): void {
  if (!monaco.languages.getLanguages().some((l) => l.id === DUCKDB_LANGUAGE)) {
    monaco.languages.register({ id: DUCKDB_LANGUAGE, aliases: ['DuckDB SQL', 'duckdb'] });
  }
  monaco.languages.setLanguageConfiguration(DUCKDB_LANGUAGE, {
    comments: { lineComment: '--', blockComment: ['/*', '*/'] },
    brackets: [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ],
    autoClosingPairs: [
      { open: '(', close: ')' },
      { open: '[', close: ']' },
      { open: '{', close: '}' },
      { open: "'", close: "'", notIn: ['string', 'comment'] },
      { open: '"', close: '"', notIn: ['string', 'comment'] },
    ],
  });
  const keywords = new Set(dialect.keywords.map((k) => k.toLowerCase()));
  const types = dialect.types.map((t) => t.toLowerCase()).filter((t) => !keywords.has(t));
  const functions = dialect.functions.map((f) => f.toLowerCase()).filter((f) => !keywords.has(f));
  monaco.languages.setMonarchTokensProvider(DUCKDB_LANGUAGE, {
    ignoreCase: true,
    defaultToken: '',
    keywords: [...keywords],
    typeKeywords: types,
    builtinFunctions: functions,
    operators: ['::', '->', '->>', '=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||', '**', '^', '~', '!~'],
    tokenizer: {
      root: [
        [/--.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/\$\$/, 'string', '@dollarString'],
        [/[eE]'/, 'string', '@string'],
        [/'/, 'string', '@string'],
        [/"/, 'identifier.quote', '@quotedIdentifier'],
        [/@[A-Za-z_][\w]*/, 'predefined'],
        [/\$\d+|\?/, 'variable'],
        [/\d+(\.\d+)?([eE][-+]?\d+)?/, 'number'],
        [/\.\d+([eE][-+]?\d+)?/, 'number'],
        [
          /[A-Za-z_][\w$]*/,
          {
            cases: {
              '@keywords': 'keyword',
              '@typeKeywords': 'type',
              '@builtinFunctions': 'predefined',
              '@default': 'identifier',
            },
          },
        ],
        [/::|->>|->|<>|!=|<=|>=|\|\||\*\*|[=<>+\-*/%^~!]/, 'operator'],
        [/[;,.]/, 'delimiter'],
        [/[()[\]{}]/, '@brackets'],
        [/\s+/, 'white'],
      ],
      comment: [
        [/[^/*]+/, 'comment'],
        [/\*\//, 'comment', '@pop'],
        [/[/*]/, 'comment'],
      ],
      string: [
        [/[^']+/, 'string'],
        [/''/, 'string'],
        [/'/, 'string', '@pop'],
      ],
      dollarString: [
        [/[^$]+/, 'string'],
        [/\$\$/, 'string', '@pop'],
        [/\$/, 'string'],
      ],
      quotedIdentifier: [
        [/[^"]+/, 'identifier'],
        [/""/, 'identifier'],
        [/"/, 'identifier.quote', '@pop'],
      ],
    },
  });
}
