-- recordScript adds one sent message and prunes the robot's history.
--
-- KEYS: the robot's sorted set, its ID counter, the set of robots.
-- ARGV: the send time (ms), the message as JSON, the age cutoff (ms), the
-- most to keep, the robot's name. It answers the new entry's ID.
local id = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], ARGV[1], string.format('%020d', id) .. ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('SADD', KEYS[3], ARGV[5])
return id
