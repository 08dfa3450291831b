-- releaseScript deletes the leases this replica holds.
--
-- KEYS: lease keys. ARGV: token.
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
end
return 0
