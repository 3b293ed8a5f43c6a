"""Lua scripts run by Redis, each atomically (one EVALSHA)."""

from __future__ import annotations

INCREMENT = """
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCR', KEYS[1])
if created then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
end
return value
"""
"""KEYS[1] counter; ARGV[1] ttl seconds (> 0), set only when the key did not exist."""

INDEX_UPDATE = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local op = ARGV[2]

-- Read the stored list the way index.parse_index does: drop junk and expired entries, keep a repeated token once
-- (its latest expiry, at its first position).
local entries = {}
local position = {}
local raw = redis.call('GET', key)
if raw then
  local ok, decoded = pcall(cjson.decode, raw)
  if ok and type(decoded) == 'table' then
    for _, item in ipairs(decoded) do
      if type(item) == 'table' and type(item.token) == 'string' and type(item.expiresAt) == 'number'
          and item.expiresAt == item.expiresAt and item.expiresAt ~= math.huge then
        local expires = math.floor(item.expiresAt)
        if expires > now then
          local at = position[item.token]
          if at == nil then
            entries[#entries + 1] = {token = item.token, expires = expires}
            position[item.token] = #entries
          elseif expires > entries[at].expires then
            entries[at].expires = expires
          end
        end
      end
    end
  end
end

local drop = {}
local added = nil
if op == 'add' then
  drop[ARGV[3]] = true
  local expires = tonumber(ARGV[4])
  if expires > now then
    added = {token = ARGV[3], expires = expires}
  end
elseif op == 'remove' then
  for i = 3, #ARGV do
    drop[ARGV[i]] = true
  end
else
  return redis.error_reply('unknown index operation ' .. tostring(op))
end

local kept = {}
for _, entry in ipairs(entries) do
  if not drop[entry.token] then
    kept[#kept + 1] = entry
  end
end
if added then
  kept[#kept + 1] = added
end

if #kept == 0 then
  redis.call('DEL', key)
  return 0
end

-- A stable sort: table.sort is not, so equal expiries fall back to list order.
for i, entry in ipairs(kept) do
  entry.order = i
end
table.sort(kept, function(a, b)
  if a.expires ~= b.expires then
    return a.expires < b.expires
  end
  return a.order < b.order
end)

-- Written by hand, not cjson.encode: cjson writes an empty table as {} and large numbers as 1.795e+14.
local parts = {}
for i, entry in ipairs(kept) do
  parts[i] = '{"token":' .. cjson.encode(entry.token) .. ',"expiresAt":' .. string.format('%.0f', entry.expires) .. '}'
end
local ttl = math.ceil((kept[#kept].expires - now) / 1000)
if ttl < 1 then
  ttl = 1
end
redis.call('SET', key, '[' .. table.concat(parts, ',') .. ']', 'EX', ttl)
return #kept
"""
"""KEYS[1] index key; ARGV[1] now_ms; ARGV[2] 'add' (ARGV[3] member, ARGV[4] expires_at_ms) or 'remove' (ARGV[3..]
members). Returns the number of entries left."""
