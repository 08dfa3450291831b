-- importScript adds items under new IDs unless their UUID was imported
-- before, to their lanes (pending) or to the dead letters.
--
-- KEYS: seq, items, dead, deadq, lanes, imported, then one pending key per
-- item. ARGV: dead (0/1), n, then n UUIDs, n lanes, n JSON bodies.
local n = tonumber(ARGV[2])
local added = 0
for i = 1, n do
  if redis.call('HSETNX', KEYS[6], ARGV[2 + i], 1) == 1 then
    local id = redis.call('INCR', KEYS[1])
    if ARGV[1] == '1' then
      redis.call('HSET', KEYS[3], id, ARGV[2 + 2 * n + i])
      redis.call('ZADD', KEYS[4], id, id)
    else
      redis.call('HSET', KEYS[2], id, ARGV[2 + 2 * n + i])
      redis.call('ZADD', KEYS[6 + i], id, id)
      redis.call('SADD', KEYS[5], ARGV[2 + n + i])
    end
    added = added + 1
  end
end
redis.call('EXPIRE', KEYS[6], 30 * 24 * 3600)
return added
