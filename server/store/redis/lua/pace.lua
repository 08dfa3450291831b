-- paceScript checks a lane's sliding windows at Redis's clock (one clock for
-- every replica) and, when asked to take and every window allows it, records
-- a send now, all in one atomic step: two replicas can never both take the
-- last free slot. It answers the wait (ms, 0 when a send may start) and how
-- many sends may start now; {-1, 0} when a take is fenced off by a lease
-- that is not ours (or by our own replica key having expired).
--
-- KEYS: pace list, lease key, this replica's key. ARGV: token ('' = no
-- fence), take (0/1), keep, longest window (ms), then N and window (ms)
-- per limit.
if ARGV[2] == '1' and ARGV[1] ~= '' and (redis.call('GET', KEYS[2]) ~= ARGV[1] or redis.call('EXISTS', KEYS[3]) == 0) then return {-1, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sent = redis.call('LRANGE', KEYS[1], 0, -1)
local wait, free = 0, 1000000000
for i = 5, #ARGV, 2 do
  local n, per = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local used = 0
  for j = 1, #sent do
    if now - tonumber(sent[j]) < per then used = used + 1 end
  end
  if #sent >= n then
    local w = tonumber(sent[#sent - n + 1]) + per - now
    if w > wait then wait = w end
  end
  if n - used < free then free = n - used end
end
if free < 0 then free = 0 end
if ARGV[2] == '1' and wait <= 0 then
  redis.call('RPUSH', KEYS[1], now)
  redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  free = math.max(free - 1, 0)
end
return {math.ceil(wait), free}
