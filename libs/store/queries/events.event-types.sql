SELECT DISTINCT ON (h.ref_id) h.ref_id, h.entry
  FROM event_ref_heads h
 WHERE h.account_id = $1 AND h.kind = 'event_type' AND h.product_id IN (0, $2::int)
 ORDER BY h.ref_id, h.edited_ms DESC, h.item_id DESC
