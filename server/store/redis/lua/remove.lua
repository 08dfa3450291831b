-- removeScript removes delivered items still pending, and a shared
-- message with the last item that referred to it. A batch run twice (its
-- answer lost) removes nothing more.
--
-- KEYS: items, bodies, body refs, then each ID's pending key. ARGV: the
-- IDs, then their shared messages ("" for none).
local n = #KEYS - 3
for i = 1, n do
  if redis.call('ZREM', KEYS[3 + i], ARGV[i]) == 1 then
    redis.call('HDEL', KEYS[1], ARGV[i])
    local b = ARGV[n + i]
    if b ~= '' and redis.call('HINCRBY', KEYS[3], b, -1) <= 0 then
      redis.call('HDEL', KEYS[2], b)
      redis.call('HDEL', KEYS[3], b)
    end
  end
end
return 0
