/**
 * Names of SQLMesh's built-in audits (each also has a `_non_blocking` variant), so models can
 * reference them without an `audits/` file. Their SQL lives with the audit runner.
 */

const NAMES = [
  'forall', 'number_of_rows', 'not_null', 'at_least_one', 'not_null_proportion', 'not_constant',
  'unique_values', 'unique_combination_of_columns', 'accepted_values', 'not_accepted_values',
  'sequential_values', 'accepted_range', 'mutually_exclusive_ranges', 'not_empty_string',
  'string_length_equal', 'string_length_between', 'valid_uuid', 'valid_email', 'valid_url',
  'valid_http_method', 'match_regex_pattern_list', 'not_match_regex_pattern_list',
  'match_like_pattern_list', 'not_match_like_pattern_list', 'mean_in_range', 'stddev_in_range',
  'z_score', 'kl_divergence', 'chi_square',
];

export const BUILTIN_AUDITS: ReadonlySet<string> = new Set([...NAMES, ...NAMES.map((n) => `${n}_non_blocking`)]);

export function isBuiltinAudit(name: string): boolean {
  return BUILTIN_AUDITS.has(name.toLowerCase());
}
