/** Small display helpers shared by the plan dialog and the environments panel. */
import { formatPasError, isPasException } from '../../../src-shared/errors';
import type { ChangeCategory } from '../../../src-shared/modeling';

export function errorText(error: unknown): string {
  return isPasException(error) ? formatPasError(error.error) : error instanceof Error ? error.message : String(error);
}

export const CATEGORY_LABELS: Record<ChangeCategory, string> = {
  breaking: 'Breaking',
  non_breaking: 'Non-breaking',
  forward_only: 'Forward-only',
  indirect_breaking: 'Indirect breaking',
  indirect_non_breaking: 'Indirect non-breaking',
  metadata: 'Metadata',
};

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function when(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
