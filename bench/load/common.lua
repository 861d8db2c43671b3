-- Shared by the load scripts: read a data file, count answers that are not 200, and print
-- one machine-readable result line when the run ends.
--
-- wrk runs each thread in a Lua state of its own; setup() (in the main state) keeps the
-- threads so that done() can add up their counters. A 302 (e.g. to the sign-in page) is no
-- error for wrk, so every status but 200 is counted here.

local M = {}
local threads = {}

function M.lines(path)
  local rows = {}
  local file = assert(io.open(path, "r"), "cannot open " .. path)
  for line in file:lines() do
    if line ~= "" then rows[#rows + 1] = line end
  end
  file:close()
  assert(#rows > 0, path .. " is empty")
  return rows
end

-- Think time: each client pauses after an answer, drawn from an exponential distribution
-- with the given mean (a Poisson stream per client, so clients do not march in step).
local think_ms = 0

function M.think(mean_ms)
  think_ms = mean_ms
  math.randomseed(os.time() * 100 + (thread_number or 1))
end

function M.delay()
  if think_ms <= 0 then return 0 end
  return math.floor(-think_ms * math.log(1 - math.random()))
end

function M.setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
end

-- Per-thread counters (globals of the thread's state, read back with thread:get).
bad, first_bad_status, first_bad_body = 0, 0, ""

function M.response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if first_bad_status == 0 then
      first_bad_status = status
      first_bad_body = (body or ""):sub(1, 300)
    end
  end
end

local function quote(s)
  return '"' .. tostring(s):gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

function M.done(name, summary, latency)
  local not_200, status, sample = 0, 0, ""
  for _, thread in ipairs(threads) do
    not_200 = not_200 + (thread:get("bad") or 0)
    if status == 0 and (thread:get("first_bad_status") or 0) ~= 0 then
      status = thread:get("first_bad_status")
      sample = thread:get("first_bad_body")
    end
  end
  local e = summary.errors
  local ms = function(p) return latency:percentile(p) / 1000 end
  io.write(string.format(
    'RESULT {"name": %s, "requests": %d, "seconds": %.3f, "p50": %.2f, "p90": %.2f, '
      .. '"p95": %.2f, "p99": %.2f, "max": %.2f, "mean": %.2f, "not_200": %d, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"first_bad_status": %d, "first_bad_body": %s}\n',
    quote(name), summary.requests, summary.duration / 1e6, ms(50), ms(90), ms(95), ms(99),
    latency.max / 1000, latency.mean / 1000, not_200,
    e.connect, e.read, e.write, e.timeout, status, quote(sample)))
end

return M
