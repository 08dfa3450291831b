-- updateScript rewrites items that are still pending.
--
-- KEYS: items, then one pending key per item. ARGV: n IDs, n JSON bodies.
local n = #KEYS - 1
for i = 1, n do
  if redis.call('ZSCORE', KEYS[1 + i], ARGV[i]) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[n + i]) end
end
return 0
