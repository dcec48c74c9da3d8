/**
 * The models a sync may read (docs/reverse-etl.md): each one a `retl_src` view made by a migration, filtered on the
 * reading transaction's account. A model is offered when its view exists in the store: projects, tasks and contacts
 * (written by Planfix) become available with one entry here and the migration that creates their view, and nothing
 * else changes. Columns are read from the view itself, never listed twice.
 */
export interface ModelEntry {
  name: string;
  label: string;
  /** Who writes the records. */
  writer: string;
}

export const MODEL_CATALOGUE: readonly ModelEntry[] = [
  { name: 'touchpoints', label: 'Touchpoints', writer: 'PlanSync' },
  { name: 'companies', label: 'Companies', writer: 'PlanSync, Planfix' },
  { name: 'contacts', label: 'Contacts', writer: 'Planfix' },
  { name: 'projects', label: 'Projects', writer: 'Planfix, Planpoint' },
  { name: 'tasks', label: 'Tasks', writer: 'Planfix' },
  { name: 'events', label: 'Events', writer: 'Forward Planner' },
  { name: 'files', label: 'Files', writer: 'PlanSync' },
  { name: 'actions', label: 'Actions', writer: 'Planfix' },
  { name: 'floors', label: 'Floors', writer: 'Planpoint' },
  { name: 'units', label: 'Units', writer: 'Planpoint' },
  { name: 'leads', label: 'Leads', writer: 'Planpoint' },
];

export const MODEL_PREFIX = 'model:';

export type SourceRef = { type: 'model'; model: string } | { type: 'sql'; sql: string };

/** `model:touchpoints` → a model reference; anything else is SQL. */
export function sourceRef(sourceQuery: string): SourceRef {
  const trimmed = sourceQuery.trim();
  if (trimmed.toLowerCase().startsWith(MODEL_PREFIX)) return { type: 'model', model: trimmed.slice(MODEL_PREFIX.length).trim() };
  return { type: 'sql', sql: sourceQuery };
}
