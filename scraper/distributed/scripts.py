"""The Lua scripts of scraper.distributed.shared_state: each multi-key step on the shared Redis state is one
script, so it is atomic and costs one round trip. Key layout: see scraper.distributed.shared_state."""

REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 and ARGV[2] == '0' then return -1 end
local items = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do redis.call('ZADD', KEYS[2], items[i + 1], items[i]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
return #items / 2
"""  # KEYS: processing, queue, heartbeat, workers; ARGV: id, force ("1": even if alive)

ACTIVITY = """
local busy = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do busy = busy + redis.call('ZCARD', ARGV[1] .. id) end
return {redis.call('ZCARD', KEYS[1]), busy, redis.call('EXISTS', KEYS[2])}
"""  # KEYS: queue, discovering, workers; ARGV: processing key prefix

# A claim's value ends in "|<fetch time>"; callers see it without. A page fetched again while
# the job refreshes (KEYS[3] refresh = 1, and not when a restarted worker settles its files) is
# written again if its text changed, or gets the new fetch time if not: as scraper.crawl.state does.
CLAIM = """
local value = redis.call('HGET', KEYS[1], ARGV[1])
local stamp = '|' .. ARGV[5]
local owner = value and string.match(value, '^(.*)|')
if owner then
  if ARGV[6] ~= '1' or redis.call('HGET', KEYS[3], 'refresh') ~= '1' then return owner end
  local same = string.match(owner, '[^|]*$') == string.match(ARGV[3], '[^|]*$')
  if string.sub(owner, 1, 2) == 'w|' and same then
    redis.call('HSET', KEYS[1], ARGV[1], owner .. stamp)
    return owner
  end
end
local first = redis.call('HGET', KEYS[2], ARGV[2])
if first and first ~= ARGV[1] then
  if not (owner and string.sub(owner, 1, 2) == 'w|') then owner = 'd|' .. ARGV[4] .. '|' .. first end
  redis.call('HSET', KEYS[1], ARGV[1], owner .. stamp)
  return 'duplicate of ' .. first
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. stamp)
return false
"""  # KEYS: done, content, job; ARGV: url, content hash, token, worker id, fetch time, may refresh
# -> nil when claimed, else the claim that stands (or "duplicate of <url>")

REJECT = """
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3]) return 1 end
redis.call('HSET', KEYS[1], ARGV[1], (string.match(value, '^(.*)|') or value) .. '|' .. ARGV[3])
return 0
"""  # KEYS: done; ARGV: url, claim, fetch time -> 1 when claimed, 0 when done before (time moved)

ADD_HEADLINES = """
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[i + 1]) end
end
return redis.call('LLEN', KEYS[2])
"""  # KEYS: headline_keys, headlines; ARGV: key, row, key, row...
