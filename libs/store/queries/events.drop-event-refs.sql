WITH gone AS (
  DELETE FROM event_refs r WHERE r.account_id = $1 AND r.item_id = ANY($2::int[])
  RETURNING r.kind, r.product_id, r.ref_id)
SELECT DISTINCT kind, product_id, ref_id FROM gone
