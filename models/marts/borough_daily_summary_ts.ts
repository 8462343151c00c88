/**
 * The borough/day aggregate of marts.borough_daily_summary, written as a TypeScript model:
 * the metadata SQLMesh's Python models take, and `execute(context)` returning the rows.
 */
import type { TypeScriptModel } from '../../src-main/project/typescript-model';

const model: TypeScriptModel = {
  name: 'marts.borough_daily_summary_ts',
  kind: 'FULL',
  description: 'Collisions and casualties per borough and day (TypeScript model)',
  grain: ['borough', 'crash_day'],
  depends_on: ['intermediate.int_collisions_daily'],
  columns: {
    borough: 'VARCHAR',
    crash_day: 'DATE',
    collisions: 'BIGINT',
    persons_injured: 'BIGINT',
    persons_killed: 'BIGINT',
    pedestrians_injured: 'BIGINT',
    pedestrians_killed: 'BIGINT',
    cyclists_injured: 'BIGINT',
    cyclists_killed: 'BIGINT',
    motorists_injured: 'BIGINT',
    motorists_killed: 'BIGINT',
  },
  async execute(context) {
    const source = context.resolveTable('intermediate.int_collisions_daily');
    return context.fetch(`
      SELECT
        borough,
        crash_day,
        COUNT(*) AS collisions,
        SUM(persons_injured) AS persons_injured,
        SUM(persons_killed) AS persons_killed,
        SUM(pedestrians_injured) AS pedestrians_injured,
        SUM(pedestrians_killed) AS pedestrians_killed,
        SUM(cyclists_injured) AS cyclists_injured,
        SUM(cyclists_killed) AS cyclists_killed,
        SUM(motorists_injured) AS motorists_injured,
        SUM(motorists_killed) AS motorists_killed
      FROM ${source}
      GROUP BY borough, crash_day
      ORDER BY crash_day, borough
    `);
  },
};

export default model;
