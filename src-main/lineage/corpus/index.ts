/** Every query of the lineage corpus. */
import { basics } from './basics';
import type { Case } from './case';
import { clauses } from './clauses';
import { joins } from './joins';
import { nested } from './nested';
import { setops } from './setops';
import { sources } from './sources';
import { stars } from './stars';

export const CORPUS: Case[] = [...basics, ...stars, ...clauses, ...nested, ...joins, ...setops, ...sources];
