/**
 * Public surface of the project loader: load a SQLMesh-format project folder, and render its
 * models and audits to plain DuckDB SQL. Other modules import from here.
 */
export { loadProject, projectColumns, type LoadProjectOptions, type LoadProjectResult, type Project } from './project';
export type { Diagnostic, Severity, SourcePoint, SourceRange } from './diagnostics';
export { formatDiagnostic } from './diagnostics';
export type {
  AuditCall,
  ColumnDef,
  ExternalModelDefinition,
  ModelDefinition,
  PropertySource,
  SqlModelDefinition,
  TypeScriptModelDefinition,
} from './model';
export type { ChangePolicy, IncrementalOptions, ModelKind, ModelKindName } from './model-kind';
export type { AuditDefinition } from './audit';
export type { ModelTest, ModelTestInput, ModelTestOutput, TestRow } from './model-tests';
export type {
  CatalogAttachSpec,
  CatalogSpec,
  DuckDbConnectionConfig,
  GatewayConfig,
  ModelDefaults,
  PostgresConnectionConfig,
  ProjectConfig,
  StateConnectionConfig,
} from './config';
export type { SqlSection } from './sql-section';
export type { PropValue } from './properties';
export { defineModel, importTypeScriptModel, type ImportedTypeScriptModel, type ModelRow, type TypeScriptModel, type TypeScriptModelContext, type TypeScriptModelKind } from './typescript-model';
export { renderAudit, renderModel, type RenderContext, type RenderedAudit, type RenderedModel, type RuntimeStage } from './render/render-model';
export type { IntervalInput, TimeInput } from './render/time-vars';
export { isBuiltinAudit } from './builtin-audits';
