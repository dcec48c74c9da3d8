SELECT DISTINCT ON (x.id) x.id, x.country, x.country_name
  FROM (SELECT CASE WHEN json_typeof(e.body->'country') = 'object' THEN (e.body->'country'->>'countryId')::int ELSE e.country_id END AS id,
               CASE WHEN json_typeof(e.body->'country') = 'object' THEN e.body->'country' END AS country,
               e.body->>'countryName' AS country_name, e.edited_ms, e.item_id
          FROM events e
         WHERE e.account_id = $1 AND NOT e.deleted AND (e.product_ids = '{}'::int[] OR $2::int = ANY(e.product_ids))) AS x
 WHERE x.id <> 0
 ORDER BY x.id, x.edited_ms DESC, x.item_id DESC
