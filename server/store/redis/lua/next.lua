-- nextScript reads a lane's first items after an ID, with their bodies,
-- and counts the rest.
--
-- KEYS: pending key, items. ARGV: after (exclusive), n.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return {0, {}, {}} end
local vals = redis.call('HMGET', KEYS[2], unpack(ids))
local rest = redis.call('ZCOUNT', KEYS[1], '(' .. ids[#ids], '+inf')
return {rest, ids, vals}
