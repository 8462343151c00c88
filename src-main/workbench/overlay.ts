/**
 * A model file as the editor holds it (unsaved text over the saved project): its definition
 * read from that text, its query rendered with macros expanded, and the way back from an
 * offset in the rendered query to a line and column of the file.
 */
import path from 'node:path';
import { parseTime } from '../plan/intervals';
import { type Diagnostic, Diagnostics } from '../project/diagnostics';
import type { SqlModelDefinition } from '../project/model';
import { parseModelFile } from '../project/model-file';
import type { Project } from '../project/project';
import { renderModel } from '../project/render/render-model';
import { pointInSection } from '../project/sql-section';

export interface OverlayModel {
  /** The model the text defines (the first one of blueprints), when its header reads. */
  model?: SqlModelDefinition;
  /** Problems of reading the text (header, properties, statements). */
  diagnostics: Diagnostic[];
}

/** Reads a model file's (unsaved) text against the project it belongs to. */
export function readOverlay(project: Project, file: string, text: string): OverlayModel {
  const diagnostics = new Diagnostics();
  const result = parseModelFile(file, path.join(project.root, file), text, project.config.modelDefaults, diagnostics, project.variables);
  const model = result.models[0];
  return { ...(model ? { model } : {}), diagnostics: diagnostics.items };
}

export interface RenderedOverlay {
  /** The rendered query; undefined when the model has none (SEED) or it failed to render. */
  query?: string;
  diagnostics: Diagnostic[];
}

/** Renders a model for previewing: from its start (or the project's default start) until now. */
export function renderForPreview(project: Project, model: SqlModelDefinition, now = Date.now()): RenderedOverlay {
  const start = parseTime(String(model.start ?? project.config.modelDefaults?.start ?? 'yesterday'), now);
  const rendered = renderModel(model, {
    start,
    end: now,
    executionTime: now,
    variables: project.variables,
    ...(project.gateway ? { gateway: project.gateway } : {}),
  });
  if (rendered.diagnostics.length > 0) return { diagnostics: rendered.diagnostics };
  return { ...(rendered.query !== undefined ? { query: rendered.query } : {}), diagnostics: [] };
}

/**
 * Where an offset of the rendered query stands in the model file. Without macros the rendered
 * query is the query section's text, trimmed; with them, `token` (the text at fault) is looked
 * up in the section; failing both, the query's first line.
 */
export function renderedToFile(model: SqlModelDefinition, rendered: string, offset: number, token?: string): { line: number; column: number } {
  const section = model.query;
  if (!section) return { line: model.headerRange.start.line, column: model.headerRange.start.column };
  const lead = section.sql.length - section.sql.trimStart().length;
  let local = -1;
  if (section.sql.trim() === rendered) local = lead + offset;
  else if (token) {
    const at = section.sql.toLowerCase().indexOf(token.toLowerCase());
    if (at >= 0) local = at;
  }
  if (local < 0) local = lead;
  const point = pointInSection(section, section.offset + Math.min(local, section.sql.length));
  return { line: point.line, column: point.column };
}
