WITH k AS (SELECT DISTINCT * FROM unnest($2::text[], $3::int[], $4::int[]) AS k(kind, product_id, ref_id)),
emptied AS (
  DELETE FROM event_ref_heads h USING k
   WHERE h.account_id = $1 AND h.kind = k.kind AND h.product_id = k.product_id AND h.ref_id = k.ref_id
     AND NOT EXISTS (SELECT 1 FROM event_refs r
                      WHERE r.account_id = $1 AND r.kind = k.kind AND r.product_id = k.product_id AND r.ref_id = k.ref_id))
INSERT INTO event_ref_heads (account_id, kind, product_id, ref_id, item_id, edited_ms, entry)
SELECT $1, k.kind, k.product_id, k.ref_id, l.item_id, l.edited_ms, l.entry
  FROM k CROSS JOIN LATERAL (
         SELECT r.item_id, r.edited_ms, r.entry FROM event_refs r
          WHERE r.account_id = $1 AND r.kind = k.kind AND r.product_id = k.product_id AND r.ref_id = k.ref_id
          ORDER BY r.edited_ms DESC, r.item_id DESC LIMIT 1) AS l
ON CONFLICT (account_id, kind, product_id, ref_id)
   DO UPDATE SET item_id = excluded.item_id, edited_ms = excluded.edited_ms, entry = excluded.entry
