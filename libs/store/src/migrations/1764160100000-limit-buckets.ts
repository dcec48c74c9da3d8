import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `limit_eval` learns the bucketed rolling window of `evaluate` (libs/limits/src/windows.ts): a window whose input
 * has `q` keeps [bucket start, count] pairs instead of one stamp per admitted request, so that the state of an
 * account given a high limit (100,000 a minute) stays at most 101 pairs and an admission no longer rewrites a value
 * that grows with the limit. Limits up to 1,000 send no `q` and are evaluated exactly as before.
 */
export class LimitBuckets1764160100000 implements MigrationInterface {
  name = 'LimitBuckets1764160100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION limit_eval(p_state jsonb, p_windows jsonb, p_now bigint, p_cost int) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE AS $fn$
      DECLARE
        n int := jsonb_array_length(p_windows);
        w jsonb;
        s jsonb;
        fresh jsonb := '[]'::jsonb;
        room boolean[] := '{}';
        ok boolean := true;
        stamps jsonb;
        buckets jsonb;
        q bigint;
        bstart bigint;
        total bigint;
        freed bigint;
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
          ELSIF w->>'k' = 's' AND (w->>'q') IS NOT NULL THEN
            -- buckets [start, count], each counted until its end leaves the window
            q := (w->>'q')::bigint;
            SELECT coalesce(jsonb_agg(jsonb_build_array(b.st, b.cnt) ORDER BY b.st), '[]'::jsonb), coalesce(sum(b.cnt), 0)
              INTO buckets, total
              FROM (SELECT (e->>0)::bigint AS st, (e->>1)::bigint AS cnt
                      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s->'b') = 'array' THEN s->'b' ELSE '[]'::jsonb END) AS e) AS b
             WHERE b.st + q > p_now - (w->>'w')::bigint;
            s := jsonb_build_object('b', buckets, 'n', total);
            room := room || ((total + p_cost) <= (w->>'l')::bigint);
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
          ELSIF w->>'k' = 's' AND (w->>'q') IS NOT NULL THEN
            q := (w->>'q')::bigint;
            buckets := s->'b';
            total := (s->>'n')::bigint;
            cnt := total;
            IF ok THEN
              bstart := p_now - (p_now % q);
              len := jsonb_array_length(buckets);
              IF len > 0 AND (buckets->(len - 1)->>0)::bigint = bstart THEN
                buckets := jsonb_set(buckets, ARRAY[(len - 1)::text, '1'], to_jsonb((buckets->(len - 1)->>1)::bigint + p_cost));
              ELSE
                buckets := buckets || jsonb_build_array(jsonb_build_array(bstart, p_cost));
              END IF;
              total := total + p_cost;
            END IF;
            s := jsonb_build_object('b', buckets);
            remaining := greatest(0, (w->>'l')::bigint - total);
            reset_at := CASE WHEN jsonb_array_length(buckets) > 0 THEN (buckets->0->>0)::bigint + q + (w->>'w')::bigint ELSE p_now END;
            retry_at := p_now;
            IF NOT room[i + 1] THEN
              freed := 0;
              FOR j IN 0 .. jsonb_array_length(buckets) - 1 LOOP
                freed := freed + (buckets->j->>1)::bigint;
                retry_at := (buckets->j->>0)::bigint + q + (w->>'w')::bigint;
                EXIT WHEN cnt - freed + p_cost <= (w->>'l')::bigint;
              END LOOP;
            END IF;
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

  async down(): Promise<void> {
    // the earlier body cannot read bucketed states; leaving this one in place is the safe way back
  }
}
