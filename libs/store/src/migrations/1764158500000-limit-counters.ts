import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Rate-limit and quota counters. `limit_eval` is the SQL twin of `evaluate` in libs/limits/src/windows.ts (keep them
 * in step: the same contract tests run against both); one `INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING` per
 * admission calls it on the locked row, so concurrent admissions on any instance are exact.
 */
export class LimitCounters1764158500000 implements MigrationInterface {
  name = 'LimitCounters1764158500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE limit_counters (
        key text PRIMARY KEY,
        state jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_limit_counters__expires ON limit_counters (expires_at)`);
    await q.query(`
      CREATE FUNCTION limit_eval(p_state jsonb, p_windows jsonb, p_now bigint, p_cost int) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE AS $fn$
      DECLARE
        n int := jsonb_array_length(p_windows);
        w jsonb;
        s jsonb;
        fresh jsonb := '[]'::jsonb;
        room boolean[] := '{}';
        ok boolean := true;
        stamps jsonb;
        tokens float8;
        cnt bigint;
        len int;
        remaining bigint;
        reset_at bigint;
        retry_at bigint;
        next jsonb := '[]'::jsonb;
        results jsonb := '[]'::jsonb;
      BEGIN
        FOR i IN 0 .. n - 1 LOOP
          w := p_windows -> i;
          s := p_state -> 'w' -> i;
          IF w->>'k' = 'f' THEN
            IF s IS NULL OR jsonb_typeof(s) <> 'object' OR (s->>'s') IS NULL OR (s->>'s')::bigint <> (w->>'s')::bigint THEN
              s := jsonb_build_object('s', (w->>'s')::bigint, 'n', 0);
            END IF;
            room := room || (((s->>'n')::bigint + p_cost) <= (w->>'l')::bigint);
          ELSIF w->>'k' = 's' THEN
            SELECT coalesce(jsonb_agg(x ORDER BY x), '[]'::jsonb) INTO stamps
              FROM (SELECT (e #>> '{}')::bigint AS x
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s->'t') = 'array' THEN s->'t' ELSE '[]'::jsonb END) AS e) AS t
             WHERE x > p_now - (w->>'w')::bigint;
            s := jsonb_build_object('t', stamps);
            room := room || ((jsonb_array_length(stamps) + p_cost) <= (w->>'l')::bigint);
          ELSE
            IF s IS NULL OR jsonb_typeof(s) <> 'object' OR (s->>'k') IS NULL THEN
              tokens := (w->>'b')::float8;
            ELSE
              tokens := least((w->>'b')::float8, (s->>'k')::float8 + greatest(0, p_now - (s->>'ts')::bigint) * (w->>'r')::float8);
            END IF;
            s := jsonb_build_object('k', tokens, 'ts', p_now);
            room := room || (tokens >= p_cost);
          END IF;
          fresh := fresh || jsonb_build_array(s);
          IF NOT room[i + 1] THEN ok := false; END IF;
        END LOOP;

        FOR i IN 0 .. n - 1 LOOP
          w := p_windows -> i;
          s := fresh -> i;
          IF w->>'k' = 'f' THEN
            cnt := (s->>'n')::bigint + CASE WHEN ok THEN p_cost ELSE 0 END;
            s := jsonb_build_object('s', (w->>'s')::bigint, 'n', cnt);
            remaining := greatest(0, (w->>'l')::bigint - cnt);
            reset_at := (w->>'e')::bigint;
            retry_at := CASE WHEN room[i + 1] THEN p_now ELSE reset_at END;
          ELSIF w->>'k' = 's' THEN
            stamps := s->'t';
            len := jsonb_array_length(stamps);
            IF ok THEN
              FOR c IN 1 .. p_cost LOOP stamps := stamps || to_jsonb(p_now); END LOOP;
            END IF;
            s := jsonb_build_object('t', stamps);
            remaining := greatest(0, (w->>'l')::bigint - jsonb_array_length(stamps));
            reset_at := CASE WHEN jsonb_array_length(stamps) > 0 THEN (stamps->>0)::bigint + (w->>'w')::bigint ELSE p_now END;
            retry_at := CASE WHEN room[i + 1] THEN p_now
                             ELSE (stamps->>(len - (w->>'l')::int + p_cost - 1))::bigint + (w->>'w')::bigint END;
          ELSE
            tokens := (s->>'k')::float8 - CASE WHEN ok THEN p_cost ELSE 0 END;
            s := jsonb_build_object('k', tokens, 'ts', p_now);
            remaining := greatest(0, floor(tokens))::bigint;
            reset_at := p_now + ceil(((w->>'b')::float8 - tokens) / (w->>'r')::float8)::bigint;
            retry_at := CASE WHEN room[i + 1] THEN p_now ELSE p_now + ceil((p_cost - tokens) / (w->>'r')::float8)::bigint END;
          END IF;
          next := next || jsonb_build_array(s);
          results := results || jsonb_build_array(jsonb_build_array(remaining, reset_at, retry_at));
        END LOOP;
        RETURN jsonb_build_object('w', next, 'a', ok, 'r', results);
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION limit_eval(jsonb, jsonb, bigint, int)`);
    await q.query(`DROP TABLE limit_counters`);
  }
}
