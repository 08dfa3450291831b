-- holdScript renews this replica's key and takes or keeps the leases of
-- several lanes in one round trip: a lane is taken when nobody holds it or
-- its holder's key has expired (and it is not an earlier version's lease,
-- which has a TTL of its own).
--
-- KEYS: this replica's key, then lease keys. ARGV: token, TTL (ms), prefix
-- of replica keys. Answer: 1 held, 0 another's, per lease key, then 1 if
-- an earlier version holds one.
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
local live, out, earlier = {[ARGV[1]] = true}, {}, 0
for first = 2, #KEYS, 500 do
  local owners = redis.call('MGET', unpack(KEYS, first, math.min(first + 499, #KEYS)))
  for i, v in ipairs(owners) do
    local k = KEYS[first + i - 1]
    if v and live[v] == nil then live[v] = redis.call('EXISTS', ARGV[3] .. v) == 1 end
    if v == ARGV[1] then
      out[#out + 1] = 1
    elseif not v or not live[v] and redis.call('PTTL', k) == -1 then
      redis.call('SET', k, ARGV[1])
      out[#out + 1] = 1
    else
      out[#out + 1] = 0
      if not live[v] then earlier = 1 end
    end
  end
end
out[#out + 1] = earlier
return out
