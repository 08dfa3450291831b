-- addScript stores one delivery: its dedup mark (unless seen: -1), then
-- every item under a new ID in its lane and the messages items share (see
-- store.ShareBodies), and wakes the lanes' senders with one message naming
-- them (a line each).
--
-- KEYS: seq, items, lanes, dedup key, dedupq, bodies, body refs, then one
-- pending key per item. ARGV: dedup (0/1), now (ms), dedup TTL (s), dedup
-- max, wake channel, delivery, dedup key prefix, n, then n lane names, n
-- JSON items, and name, JSON and refs of each shared message.
if ARGV[1] == '1' then
  if not redis.call('SET', KEYS[4], ARGV[2], 'NX', 'EX', ARGV[3]) then return -1 end
  local over = redis.call('ZCARD', KEYS[5]) - tonumber(ARGV[4]) + 1
  if over > 0 then
    local old = redis.call('ZPOPMIN', KEYS[5], over)
    for i = 1, #old, 2 do redis.call('DEL', ARGV[7] .. old[i]) end
  end
  redis.call('ZADD', KEYS[5], ARGV[2], ARGV[6])
end
local n = tonumber(ARGV[8])
local first = redis.call('INCRBY', KEYS[1], n) - n
local lanes, seen = {}, {}
for i = 1, n do
  local id = first + i
  local lane = ARGV[8 + i]
  redis.call('HSET', KEYS[2], id, ARGV[8 + n + i])
  redis.call('ZADD', KEYS[7 + i], id, id)
  if not seen[lane] then
    seen[lane] = true
    lanes[#lanes + 1] = lane
  end
end
for j = 9 + 2 * n, #ARGV, 3 do
  redis.call('HSET', KEYS[6], ARGV[j], ARGV[j + 1])
  redis.call('HSET', KEYS[7], ARGV[j], ARGV[j + 2])
end
for i = 1, #lanes, 1000 do redis.call('SADD', KEYS[3], unpack(lanes, i, math.min(i + 999, #lanes))) end
redis.call('PUBLISH', ARGV[5], table.concat(lanes, '\n'))
return first + 1
