-- reviveScript moves a dead letter back to a lane under a new ID (-1: it
-- is gone).
--
-- KEYS: dead, deadq, seq, items, pending key, lanes. ARGV: old ID, JSON,
-- lane, wake channel.
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return -1 end
redis.call('ZREM', KEYS[2], ARGV[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[4], id, ARGV[2])
redis.call('ZADD', KEYS[5], id, id)
redis.call('SADD', KEYS[6], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[3])
return id
