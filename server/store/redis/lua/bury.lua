-- buryScript moves items that are still pending to the dead letters; one
-- another replica delivered meanwhile is left out.
--
-- KEYS: items, dead, deadq, then one pending key per item. ARGV: n IDs, n
-- JSON bodies.
local n = #KEYS - 3
for i = 1, n do
  if redis.call('ZREM', KEYS[3 + i], ARGV[i]) == 1 then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[n + i])
    redis.call('ZADD', KEYS[3], ARGV[i], ARGV[i])
  end
end
return 0
