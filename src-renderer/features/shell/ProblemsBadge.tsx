/** The project's problems (file:line:column), counted in the header and listed on demand. */
import { useEffect, useState } from 'react';
import type { DiagnosticView } from '../../../src-shared/modeling';
import type { Client } from '../../transport/client';

export function ProblemsBadge({ client }: { client: Client }) {
  const [problems, setProblems] = useState<DiagnosticView[] | undefined>();
  const [open, setOpen] = useState(false);
  const [revision, setRevision] = useState(0);

  useEffect(() => client.subscribe('project.changed', () => setRevision((r) => r + 1)), [client]);
  useEffect(() => {
    client.invoke('project.info', {}).then(
      (info) => setProblems(info.diagnostics),
      (e: unknown) => setProblems([{ file: '(project)', line: 1, column: 1, severity: 'error', message: e instanceof Error ? e.message : String(e) }]),
    );
  }, [client, revision]);

  if (!problems) return null;
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return (
    <span className="problems">
      <button type="button" className={errors ? 'has-errors' : ''} onClick={() => setOpen(!open)} aria-expanded={open} data-testid="problems-badge">
        {errors === 0 && warnings === 0 ? 'No problems' : `${errors} error${errors === 1 ? '' : 's'} · ${warnings} warning${warnings === 1 ? '' : 's'}`}
      </button>
      {open && problems.length > 0 && (
        <ul className="problems-list" role="list">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              <code>
                {p.file}:{p.line}:{p.column}
              </code>{' '}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
