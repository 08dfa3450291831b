-- moveScript moves items still in one lane to the end of another under new
-- IDs (a robot renamed, or given a name=, keeps its backlog).
--
-- KEYS: seq, items, from pending, to pending, lanes. ARGV: to lane, wake
-- channel, then n old IDs and n JSON bodies.
local n = (#ARGV - 2) / 2
local moved = 0
for i = 1, n do
  local old = ARGV[2 + i]
  if redis.call('ZREM', KEYS[3], old) == 1 then
    redis.call('HDEL', KEYS[2], old)
    local id = redis.call('INCR', KEYS[1])
    redis.call('HSET', KEYS[2], id, ARGV[2 + n + i])
    redis.call('ZADD', KEYS[4], id, id)
    moved = moved + 1
  end
end
if moved > 0 then
  redis.call('SADD', KEYS[5], ARGV[1])
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return moved
