/**
 * Expressions as the user wrote them: lineage reads a model's rendered SQL, where `@start_ts`
 * or `@my_var` have become their values ('1970-01-01 00:00:00', 42). This maps a rendered
 * expression back to the text of the model file: each value a variable renders to may stand
 * for that value or for the variable (`@name`, `@{name}`, `@VAR('name')`), and the result is
 * only used when it is found in the file's query, so a coincidence never invents text.
 */
import { fromPlain, toSql, type MacroValue } from '../project/render/values';

export interface RenderedVariable {
  /** What the variable renders to in a value position. */
  text: string;
  /** Lower-case variable names that render to it. */
  names: string[];
  /** User variables can also be written `@VAR('name')`. */
  user: boolean;
}

/** The rendered texts of time variables and user variables, longest first. */
export function renderedVariables(timeVars: Record<string, MacroValue>, userVars: Record<string, unknown> = {}): RenderedVariable[] {
  const byText = new Map<string, RenderedVariable>();
  const add = (name: string, value: MacroValue, user: boolean): void => {
    if (value.t === 'lambda' || value.t === 'null') return;
    const text = toSql(value);
    if (text.length === 0) return;
    const key = `${user ? 'u' : 't'}\u0000${text}`;
    const entry = byText.get(key);
    if (entry) entry.names.push(name.toLowerCase());
    else byText.set(key, { text, names: [name.toLowerCase()], user });
  };
  for (const [name, value] of Object.entries(timeVars)) add(name, value, false);
  for (const [name, value] of Object.entries(userVars)) add(name, fromPlain(value), true);
  return [...byText.values()].sort((a, b) => b.text.length - a.text.length);
}

const WORD = /[A-Za-z0-9_]/;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A mapper from rendered expressions of one model to the text of its file's query. */
export function asWrittenMapper(source: string, variables: readonly RenderedVariable[]): ((rendered: string) => string) | undefined {
  if (!source.includes('@')) return undefined;
  const usable = variables.filter((v) => v.names.some((n) => source.toLowerCase().includes(n)));
  if (usable.length === 0) return undefined;
  return (rendered) => {
    if (source.includes(rendered)) return rendered;
    let pattern = '';
    let replaced = false;
    for (let i = 0; i < rendered.length; ) {
      const ch = rendered[i] as string;
      const variable = usable.find((v) => {
        if (!rendered.startsWith(v.text, i)) return false;
        // A word-like value (a number) must not be part of a longer word.
        const before = rendered[i - 1];
        const after = rendered[i + v.text.length];
        const wordy = WORD.test(v.text[0] ?? '') || WORD.test(v.text[v.text.length - 1] ?? '');
        return !wordy || ((before === undefined || !WORD.test(before)) && (after === undefined || !WORD.test(after)));
      });
      if (variable) {
        const names = variable.names.map(escape).join('|');
        const forms = [escape(variable.text), `@\\{?(?:${names})\\}?(?![A-Za-z0-9_])`];
        if (variable.user) forms.push(`@VAR\\(\\s*'(?:${names})'\\s*\\)`);
        pattern += `(?:${forms.join('|')})`;
        replaced = true;
        i += variable.text.length;
      } else if (/\s/.test(ch)) {
        while (i < rendered.length && /\s/.test(rendered[i] as string)) i++;
        pattern += '\\s+';
      } else {
        pattern += escape(ch);
        i++;
      }
    }
    if (!replaced) return rendered;
    const match = new RegExp(pattern, 'i').exec(source);
    return match ? match[0] : rendered;
  };
}
