SELECT x.ref_id AS id, x.entry->'country' AS country, x.entry->>'countryName' AS country_name
  FROM (SELECT DISTINCT ON (h.ref_id) h.ref_id, h.entry
  FROM event_ref_heads h
 WHERE h.account_id = $1 AND h.kind = 'country' AND h.product_id IN (0, $2::int)
 ORDER BY h.ref_id, h.edited_ms DESC, h.item_id DESC) AS x
 ORDER BY x.ref_id
