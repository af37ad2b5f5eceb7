-- wrk script for figure 3 (bench/intake.py --client wrk): POST /api/submissions as residents do.
--
-- Configured by environment variables (set by bench/wrk.py), so the main Lua state and every
-- thread's state read the same settings:
--   YISHI_BODIES        form bodies, variants separated by \1; each holds \2 where the
--                       request's own number goes (title and description) and a form token
--                       fetched once (the service runs with --min-fill-seconds 0; a token is
--                       signed, not single-use, and valid for 24 hours)
--   YISHI_CONTENT_TYPE  urlencoded, or multipart with the bodies' boundary
--   YISHI_RATE          submissions per second for the whole run; 0 or unset = back-to-back
--   YISHI_THREADS       wrk's -t, to share the rate between threads
--   YISHI_RECEIPTS      prefix of the files where each thread writes the receipt ids it got
-- Every request has its own title and description (thread id + counter), so the duplicate
-- guard never folds it into an earlier receipt, and its own X-Forwarded-For (trusted from
-- loopback), so the per-resident rate limit never refuses it.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } yishi_timespec;
int clock_gettime(int clock_id, yishi_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("yishi_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local function env(name)
  local value = os.getenv(name)
  if value == nil then error("bench/intake.lua: " .. name .. " is not set") end
  return value
end

local rate = tonumber(os.getenv("YISHI_RATE") or "0") or 0

-- Main state: give each thread its number, keep the threads to sum their counters in done().
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Thread state. Globals, so done() can read them with thread:get.
statuses = {}
late = 0
sent = 0

local bodies = {}  -- each a list of the pieces between the request's numbers
local receipts
local interval_ms, next_slot
local headers = {["Accept"] = "application/json"}

function init(args)
  headers["Content-Type"] = env("YISHI_CONTENT_TYPE")
  for variant in env("YISHI_BODIES"):gmatch("[^\1]+") do
    local pieces = {}
    for piece in (variant .. "\2"):gmatch("([^\2]*)\2") do table.insert(pieces, piece) end
    table.insert(bodies, pieces)
  end
  receipts = assert(io.open(env("YISHI_RECEIPTS") .. tid .. ".txt", "w"))
  if rate > 0 then
    -- Each thread keeps its share of the rate on its own clock.
    interval_ms = 1000 * tonumber(env("YISHI_THREADS")) / rate
  end
end

function request()
  sent = sent + 1
  local n = tid .. "-" .. sent
  -- 10.x.y.z: 16 threads of 2^20 distinct addresses each.
  local address = string.format("10.%d.%d.%d", tid * 16 + math.floor(sent / 65536) % 16,
                                math.floor(sent / 256) % 256, sent % 256)
  headers["X-Forwarded-For"] = address
  local body = table.concat(bodies[sent % #bodies + 1], n)
  return wrk.format("POST", "/api/submissions", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 202 then
    receipts:write(body:match('"id":"([^"]+)"') or "?", "\n")
  end
end

if rate > 0 then
  -- Open loop: the thread's submissions are due at fixed times, whichever connection is free
  -- takes the next one. A slot that passed with no connection free is counted as late, since
  -- wrk measures latency from the moment it sends (coordinated omission hides that wait).
  function delay()
    local now = now_ms()
    next_slot = next_slot or now
    local wait = next_slot - now
    next_slot = next_slot + interval_ms
    if wait < -1 then late = late + 1 end
    return math.max(wait, 0)
  end
end

function done(summary, latency, requests)
  local counts, late_total = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
    late_total = late_total + thread:get("late")
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  local e = summary.errors
  io.write(string.format(
    'YISHI-RESULT {"duration_us":%d,"requests":%d,"statuses":{%s},"late":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.duration, summary.requests, table.concat(parts, ","), late_total,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
