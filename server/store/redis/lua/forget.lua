-- forgetScript drops a lane from the set of lanes once it is empty.
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) return 1 end
return 0
