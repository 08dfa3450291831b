-- expireScript drops sorted-set entries older than a cutoff, at most a
-- batch per call (their keys have expired by themselves).
--
-- KEYS: dedupq. ARGV: cutoff (ms), batch.
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #old > 0 then redis.call('ZREM', KEYS[1], unpack(old)) end
return #old
