import { settingsSection } from '#identity';
import { type LimitPolicy } from '#limits';

/** Reverse ETL's account settings (`settings.reverse_etl`, docs/reverse-etl.md): whether syncs may read with SQL. */
export const REVERSE_ETL_SETTINGS = settingsSection({
  name: 'reverse_etl',
  fields: {
    sql_sources: { kind: 'bool', default: true },
  },
  shares: { sqlSources: 'sql_sources' },
});

/** 120 per rolling 60 s per key. */
export const REVERSE_ETL_POLICY: LimitPolicy = {
  name: 'reverse-etl',
  windows: [{ kind: 'sliding', name: 'reverse-etl', limit: 120, seconds: 60 }],
};
