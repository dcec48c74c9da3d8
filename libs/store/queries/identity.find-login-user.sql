SELECT u.id FROM users u WHERE lower(u.username) = lower($1) OR lower(u.email) = lower($1)
